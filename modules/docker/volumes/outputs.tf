output "names" {
  description = "Docker volume name by key."
  value       = { for key, volume in docker_volume.this : key => volume.name }
}

output "mountpoints" {
  description = "Host path of each volume's data, by key."
  value       = { for key, volume in docker_volume.this : key => volume.mountpoint }
}
