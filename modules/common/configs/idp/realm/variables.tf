variable "realm" {
  description = "Name of the realm; it appears in the issuer URL (<keycloak>/realms/<realm>)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,35}$", var.realm))
    error_message = "The realm name is 2-36 lowercase letters, digits and \"-\", starting with a letter."
  }
}

variable "display_name" {
  description = "Name shown on the login page."
  type        = string
}

variable "registration_allowed" {
  description = "Let visitors create their own account from the login page."
  type        = bool
  default     = false
}

variable "password_policy" {
  description = "Keycloak password policy applied to every user of the realm."
  type        = string
  default     = "length(12) and notUsername and notEmail"
}

variable "access_token_lifespan" {
  description = "How long an access token is valid (Go duration, e.g. 5m)."
  type        = string
  default     = "5m"
}

variable "ssl_required" {
  description = "Which requests must use HTTPS: \"external\" (all but private addresses), \"all\" or \"none\"."
  type        = string
  default     = "external"

  validation {
    condition     = contains(["external", "all", "none"], var.ssl_required)
    error_message = "ssl_required must be \"external\", \"all\" or \"none\"."
  }
}

variable "admin_role" {
  description = "Name of the realm role that makes a SpawnIt admin (the API's SPAWNIT_OIDC_ADMIN_ROLE)."
  type        = string
  default     = "spawnit-admin"
}
