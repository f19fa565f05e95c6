output "url" {
  description = "Web address of Uptime Kuma; the first visit creates the administrator account."
  value       = "http://localhost:${var.params.http_port}/"
}

output "host" {
  description = "Host to connect to from the Docker host."
  value       = "localhost"
}

output "http_port" {
  description = "HTTP port published on the Docker host."
  value       = var.params.http_port
}

output "container_name" {
  description = "Name of the Docker container."
  value       = module.instances.names.uptime_kuma
}
