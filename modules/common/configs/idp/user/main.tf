resource "keycloak_user" "this" {
  realm_id       = var.realm_id
  username       = var.username
  enabled        = true
  email          = var.email
  email_verified = true
  first_name     = var.first_name
  last_name      = var.last_name

  initial_password {
    value     = var.initial_password
    temporary = var.temporary_password
  }
}

# Realm roles land in the access token's `realm_access.roles`, where the API reads them.
resource "keycloak_user_roles" "this" {
  count = length(var.realm_role_ids) > 0 ? 1 : 0

  realm_id   = var.realm_id
  user_id    = keycloak_user.this.id
  role_ids   = var.realm_role_ids
  exhaustive = false
}
