locals {
  redirect_uris = var.valid_redirect_uris != null ? var.valid_redirect_uris : ["${var.root_url}/*"]
}

# A browser app cannot keep a secret: a public client with the authorization code flow and PKCE (S256).
resource "keycloak_openid_client" "this" {
  realm_id  = var.realm_id
  client_id = var.client_id
  name      = var.name
  enabled   = true

  access_type                  = "PUBLIC"
  standard_flow_enabled        = true
  implicit_flow_enabled        = false
  direct_access_grants_enabled = false
  service_accounts_enabled     = false
  pkce_code_challenge_method   = "S256"

  root_url                        = var.root_url
  base_url                        = var.root_url
  valid_redirect_uris             = local.redirect_uris
  valid_post_logout_redirect_uris = local.redirect_uris
  web_origins                     = [var.root_url]
}

# Puts the API's name in the "aud" claim of access tokens, so the API accepts only tokens meant for it.
resource "keycloak_openid_audience_protocol_mapper" "api" {
  count = var.api_audience == null ? 0 : 1

  realm_id                 = var.realm_id
  client_id                = keycloak_openid_client.this.id
  name                     = "api-audience"
  included_custom_audience = var.api_audience
  add_to_access_token      = true
  add_to_id_token          = false
}
