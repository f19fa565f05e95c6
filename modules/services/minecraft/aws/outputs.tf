output "host" {
  description = "Public DNS name of the instance."
  value       = module.instance.public_dns
}

output "public_ip" {
  description = "Public IPv4 address of the instance."
  value       = module.instance.public_ip
}

output "port" {
  description = "Port the server listens on."
  value       = var.params.port
}

output "address" {
  description = "Server address to type in the game's multiplayer screen."
  value       = "${module.instance.public_dns}:${var.params.port}"
}

output "version" {
  description = "Minecraft version the server runs."
  value       = var.params.version
}

output "instance_id" {
  description = "ID of the EC2 instance."
  value       = module.instance.instance_id
}
