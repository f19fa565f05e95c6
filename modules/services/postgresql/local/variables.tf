variable "context" {
  description = "Set by SpawnIt, never by the user: who owns this deployment and where it runs (see modules/README.md)."
  type = object({
    client_id    = string
    service_id   = string
    template_id  = string
    provider     = string
    network_name = string
    labels       = map(string)
    # The operator's settings for Docker (SPAWNIT_IMAGE_MAP, SPAWNIT_IMAGE_MIRROR, SPAWNIT_PUBLISH_IP).
    platform = optional(object({
      image_map    = optional(map(string), {})
      image_mirror = optional(string, "")
      publish_ip   = optional(string, "0.0.0.0")
    }), {})
  })

  validation {
    condition     = var.context.provider == "local"
    error_message = "This module deploys with the \"local\" provider; context.provider says otherwise."
  }

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,38}[a-z0-9]$", var.context.network_name))
    error_message = "context.network_name must be 2-40 lowercase letters, digits and \"-\"."
  }
}

variable "params" {
  description = "The form values of the postgresql template."
  type = object({
    version  = optional(string, "17")
    database = optional(string, "app")
    username = optional(string, "app")
    password = string
    port     = optional(number, 5432)
  })

  validation {
    condition     = contains(["16", "17"], var.params.version)
    error_message = "params.version must be \"16\" or \"17\"."
  }

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.params.database)) && can(regex("^[a-z_][a-z0-9_]{0,62}$", var.params.username))
    error_message = "params.database and params.username must be 1-63 lowercase letters, digits and \"_\", not starting with a digit."
  }

  validation {
    condition     = length(var.params.password) >= 12
    error_message = "params.password must be at least 12 characters long."
  }

  validation {
    condition     = var.params.port >= 1024 && var.params.port <= 65535
    error_message = "params.port must be between 1024 and 65535."
  }
}
