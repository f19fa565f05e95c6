resource "keycloak_realm" "this" {
  realm        = var.realm
  enabled      = true
  display_name = var.display_name

  registration_allowed     = var.registration_allowed
  login_with_email_allowed = true
  reset_password_allowed   = false
  remember_me              = true
  ssl_required             = var.ssl_required
  password_policy          = var.password_policy
  access_token_lifespan    = var.access_token_lifespan

  security_defenses {
    brute_force_detection {
      permanent_lockout          = false
      max_login_failures         = 10
      wait_increment_seconds     = 60
      max_failure_wait_seconds   = 900
      failure_reset_time_seconds = 43200
    }
  }
}

# The role SpawnIt's API reads from `realm_access.roles` (SPAWNIT_OIDC_ADMIN_ROLE): its holders see every
# client's services and networks.
resource "keycloak_role" "admin" {
  realm_id    = keycloak_realm.this.id
  name        = var.admin_role
  description = "Sees every client's services and networks in SpawnIt."
}
