output "id" {
  description = "ID of the realm, for clients and users."
  value       = keycloak_realm.this.id
}

output "realm" {
  description = "Name of the realm."
  value       = keycloak_realm.this.realm
}

output "admin_role_id" {
  description = "ID of the admin realm role, for the user module's realm_role_ids."
  value       = keycloak_role.admin.id
}
