output "url" {
  description = "Web address of Jenkins."
  value       = local.url
}

output "host" {
  description = "Host to connect to from the Docker host."
  value       = "localhost"
}

output "http_port" {
  description = "HTTP port published on the Docker host."
  value       = var.params.http_port
}

output "admin_username" {
  description = "Administrator account."
  value       = var.params.admin_username
}

output "admin_password" {
  description = "Password of the administrator account."
  value       = local.password
  sensitive   = true
}

output "container_name" {
  description = "Name of the Docker container."
  value       = module.instances.names.jenkins
}
