output "names" {
  description = "Volume name by role; the instances step mounts them."
  value       = module.volumes.names
}
