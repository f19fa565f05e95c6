output "host" {
  description = "Public DNS name of the instance."
  value       = module.instance.public_dns
}

output "public_ip" {
  description = "Public IPv4 address of the instance."
  value       = module.instance.public_ip
}

output "port" {
  description = "Port Redis listens on."
  value       = var.params.port
}

output "password" {
  description = "Password (AUTH) of the default user."
  value       = local.password
  sensitive   = true
}

output "url" {
  description = "Connection URL (redis://:password@host:port/0). Redis speaks plain TCP: keep allowed_cidr narrow."
  value       = "redis://:${urlencode(local.password)}@${module.instance.public_dns}:${var.params.port}/0"
  sensitive   = true
}

output "instance_id" {
  description = "ID of the EC2 instance."
  value       = module.instance.instance_id
}
