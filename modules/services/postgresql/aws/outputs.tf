output "host" {
  description = "Public DNS name of the instance."
  value       = module.instance.public_dns
}

output "public_ip" {
  description = "Public IPv4 address of the instance."
  value       = module.instance.public_ip
}

output "port" {
  description = "Port PostgreSQL listens on."
  value       = var.params.port
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
  value       = "postgresql://${var.params.username}:${urlencode(local.password)}@${module.instance.public_dns}:${var.params.port}/${var.params.database}"
  sensitive   = true
}

output "instance_id" {
  description = "ID of the EC2 instance."
  value       = module.instance.instance_id
}
