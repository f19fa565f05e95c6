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
