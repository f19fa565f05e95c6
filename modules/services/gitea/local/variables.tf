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
  description = "The form values of the gitea template."
  type = object({
    admin_username     = optional(string, "gitadmin")
    admin_email        = optional(string, "admin@example.com")
    admin_password     = string
    domain             = optional(string, "localhost")
    http_port          = optional(number, 3000)
    ssh_port           = optional(number, 2222)
    allow_registration = optional(bool, false)
  })

  validation {
    # Gitea reserves "admin" and a few other names.
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$", var.params.admin_username)) && !contains(["admin", "api", "user", "explore", "login"], lower(var.params.admin_username))
    error_message = "params.admin_username must be 2-40 letters, digits, \"_\", \".\" or \"-\", and not a name Gitea reserves (admin, api, user, ...)."
  }

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.params.admin_email))
    error_message = "params.admin_email must look like name@example.com."
  }

  validation {
    condition     = length(var.params.admin_password) >= 12
    error_message = "params.admin_password must be at least 12 characters long."
  }

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$", var.params.domain))
    error_message = "params.domain must be a host name such as git.example.com or localhost."
  }

  validation {
    condition     = alltrue([for p in [var.params.http_port, var.params.ssh_port] : p >= 1024 && p <= 65535]) && var.params.http_port != var.params.ssh_port
    error_message = "params.http_port and params.ssh_port must be two different ports between 1024 and 65535."
  }
}
