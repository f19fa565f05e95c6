output "host" {
  description = "Host to connect to from the Docker host."
  value       = "localhost"
}

output "port" {
  description = "Port published on the Docker host."
  value       = var.params.port
}

output "address" {
  description = "Server address to type in the game's multiplayer screen."
  value       = "localhost:${var.params.port}"
}

output "version" {
  description = "Minecraft version the server runs."
  value       = var.params.version
}

output "container_name" {
  description = "Name of the Docker container."
  value       = module.instances.names.minecraft
}
