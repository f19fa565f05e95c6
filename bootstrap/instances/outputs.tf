output "containers" {
  description = "Container name by role."
  value       = merge(module.services.names, module.app.names)
}

output "container_list" {
  description = "Container names separated by spaces; all-deploy.sh checks each is healthy."
  value       = join(" ", sort(values(merge(module.services.names, module.app.names))))
}

output "frontend_url" {
  description = "Where users open SpawnIt."
  value       = local.frontend_url
}

output "keycloak_url" {
  description = "Public URL of Keycloak (admin console at /admin)."
  value       = local.keycloak_url
}

output "issuer" {
  description = "OIDC issuer of the SpawnIt realm."
  value       = local.issuer
}

output "backend_url" {
  description = "The backend on the host's loopback (GraphiQL at /graphql, /health)."
  value       = "http://127.0.0.1:${var.ports.backend}"
}

output "s3_url" {
  description = "The S3 server on the host's loopback, for backups."
  value       = "http://127.0.0.1:${var.ports.s3}"
}

output "s3_credentials" {
  description = "Root credentials of the S3 server; the backend uses them (the server is SpawnIt's own)."
  value       = { access_key_id = local.s3_access_key, secret_access_key = local.secret.s3_secret_key }
  sensitive   = true
}

output "keycloak_admin_password" {
  description = "Password of Keycloak's bootstrap admin (user \"admin\" of the master realm)."
  value       = local.keycloak_admin_password
  sensitive   = true
}

output "users" {
  description = "The realm's default users."
  value       = sort(keys(var.default_users))
}

output "default_user_passwords" {
  description = "Temporary first passwords of the default users (Keycloak asks for a new one at the first sign-in)."
  value       = { for name in keys(var.default_users) : name => substr(local.secret["user_${name}"], 0, 24) }
  sensitive   = true
}
