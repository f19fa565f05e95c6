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

output "database" {
  description = "Database created at first start."
  value       = var.params.database
}

output "username" {
  description = "Owner of the database."
  value       = var.params.username
}

output "password" {
  description = "Password of the user."
  value       = local.password
  sensitive   = true
}

output "url" {
  description = "Connection URL (postgresql://user:password@host:port/database)."
  value       = "postgresql://${var.params.username}:${urlencode(local.password)}@localhost:${var.params.port}/${var.params.database}"
  sensitive   = true
}

output "container_name" {
  description = "Name of the Docker container."
  value       = module.instances.names.postgresql
}
