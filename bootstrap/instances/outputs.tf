output "containers" {
  description = "Container name by role."
  value       = module.instances.names
}

output "container_list" {
  description = "Container names separated by spaces; all-deploy.sh waits for each to be healthy."
  value       = join(" ", sort(values(module.instances.names)))
}

output "frontend_url" {
  description = "Where users open SpawnIt."
  value       = local.frontend_url
}

output "keycloak_url" {
  description = "Public URL of Keycloak (admin console at /admin)."
  value       = local.keycloak_url
}

output "keycloak_management_url" {
  description = "Keycloak's management port on the host: /health/ready answers when it can serve logins."
  value       = "http://127.0.0.1:${var.ports.keycloak_management}"
}

output "keycloak_admin_password" {
  description = "Password of Keycloak's bootstrap admin (user \"admin\")."
  value       = local.keycloak_admin_password
  sensitive   = true
}

output "issuer" {
  description = "OIDC issuer of the SpawnIt realm."
  value       = local.issuer
}

output "oidc" {
  description = "Realm, web client and API audience; the configs step creates them."
  value       = var.oidc
}

output "minio_url" {
  description = "MinIO's S3 API on the host: /minio/health/ready answers when it serves requests."
  value       = "http://127.0.0.1:${var.ports.minio_api}"
}

output "minio_root_user" {
  description = "MinIO root user."
  value       = var.minio_root_user
}

output "minio_root_password" {
  description = "MinIO root password."
  value       = local.minio_root_password
  sensitive   = true
}

output "s3" {
  description = "Bucket and region the backend uses; the configs step creates the bucket."
  value       = var.s3
}

output "backend_s3_user" {
  description = "MinIO user of the backend."
  value       = local.backend_s3_user
}

output "backend_s3_secret" {
  description = "Secret key of the backend's MinIO user."
  value       = random_password.backend_s3.result
  sensitive   = true
}
