output "user_id" {
  description = "ID of the user: the \"sub\" claim of its tokens, which SpawnIt uses as the client ID."
  value       = keycloak_user.this.id
}

output "username" {
  description = "Login name."
  value       = keycloak_user.this.username
}
