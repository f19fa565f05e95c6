output "url" {
  description = "Web address of Gitea."
  value       = local.root_url
}

output "host" {
  description = "Host name Gitea is configured with."
  value       = var.params.domain
}

output "http_port" {
  description = "HTTP port published on the Docker host."
  value       = var.params.http_port
}

output "ssh_port" {
  description = "SSH port for git, published on the Docker host."
  value       = var.params.ssh_port
}

output "ssh_clone_prefix" {
  description = "Prefix of SSH clone URLs (append owner/repo.git)."
  value       = "ssh://git@${var.params.domain}:${var.params.ssh_port}/"
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
  value       = module.instances.names.gitea
}
