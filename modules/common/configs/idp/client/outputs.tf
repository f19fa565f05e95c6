output "id" {
  description = "Keycloak's internal ID of the client."
  value       = keycloak_openid_client.this.id
}

output "client_id" {
  description = "OAuth client ID the web app sends."
  value       = keycloak_openid_client.this.client_id
}
