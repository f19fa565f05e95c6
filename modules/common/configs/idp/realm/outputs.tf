output "id" {
  description = "ID of the realm, for clients and users."
  value       = keycloak_realm.this.id
}

output "realm" {
  description = "Name of the realm."
  value       = keycloak_realm.this.realm
}
