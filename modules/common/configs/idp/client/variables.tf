variable "realm_id" {
  description = "ID of the realm the client belongs to."
  type        = string
}

variable "client_id" {
  description = "OAuth client ID the web app sends."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,63}$", var.client_id))
    error_message = "The client ID is 2-64 lowercase letters, digits and \"-\", starting with a letter."
  }
}

variable "name" {
  description = "Name shown on the consent and account pages."
  type        = string
}

variable "root_url" {
  description = "Base URL of the web app (e.g. http://localhost:8000)."
  type        = string

  validation {
    condition     = can(regex("^https?://[^/]+$", var.root_url))
    error_message = "The root URL is a scheme and host without path, e.g. https://spawnit.example.com."
  }
}

variable "valid_redirect_uris" {
  description = "Where Keycloak may send the user back after login; defaults to anything under root_url."
  type        = list(string)
  default     = null
}

variable "api_audience" {
  description = "Audience added to access tokens, which the API checks; null adds none."
  type        = string
  default     = null
}
