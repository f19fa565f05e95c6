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
  description = "The form values of the jenkins template."
  type = object({
    admin_username = optional(string, "admin")
    admin_password = string
    http_port      = optional(number, 8080)
    plugins        = optional(string, "git workflow-aggregator")
    memory_mb      = optional(number, 2048)
  })

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$", var.params.admin_username))
    error_message = "params.admin_username must be 2-40 letters, digits, \"_\", \".\" or \"-\"."
  }

  validation {
    condition     = length(var.params.admin_password) >= 12
    error_message = "params.admin_password must be at least 12 characters long."
  }

  validation {
    condition     = var.params.http_port >= 1024 && var.params.http_port <= 65535
    error_message = "params.http_port must be between 1024 and 65535."
  }

  validation {
    condition     = can(regex("^[a-z0-9._:-]*( [a-z0-9._:-]+)*$", var.params.plugins))
    error_message = "params.plugins is a space-separated list of plugin ids (optionally id:version), e.g. \"git workflow-aggregator\"."
  }

  validation {
    condition     = var.params.memory_mb >= 1024 && var.params.memory_mb <= 32768
    error_message = "params.memory_mb must be between 1024 and 32768."
  }
}
