output "names" {
  description = "Container name by key."
  value       = { for key, container in docker_container.this : key => container.name }
}

output "ids" {
  description = "Container ID by key."
  value       = { for key, container in docker_container.this : key => container.id }
}

output "images" {
  description = "Image ID (sha256) each container runs, by key."
  value       = { for key, image in docker_image.this : key => image.image_id }
}
