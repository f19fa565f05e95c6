output "host" {
  description = "Host to connect to from the Docker host."
  value       = "localhost"
}

output "port" {
  description = "Port published on the Docker host."
  value       = var.params.port
}

output "internal_host" {
  description = "Host name for containers on the same SpawnIt network."
  value       = var.context.service_id
}

output "password" {
  description = "Password (AUTH) of the default user."
  value       = local.password
  sensitive   = true
}

output "url" {
  description = "Connection URL (redis://:password@host:port/0)."
  value       = "redis://:${urlencode(local.password)}@localhost:${var.params.port}/0"
  sensitive   = true
}

output "container_name" {
  description = "Name of the Docker container."
  value       = module.instances.names.redis
}
