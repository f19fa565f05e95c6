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
    condition     = var.context.provider == "aws"
    error_message = "This module deploys with the \"aws\" provider; context.provider says otherwise."
  }

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,38}[a-z0-9]$", var.context.network_name))
    error_message = "context.network_name must be 2-40 lowercase letters, digits and \"-\"."
  }
}

variable "params" {
  description = "The form values of the minecraft template."
  type = object({
    eula          = bool
    version       = optional(string, "1.21.8")
    server_type   = optional(string, "VANILLA")
    difficulty    = optional(string, "normal")
    game_mode     = optional(string, "survival")
    max_players   = optional(number, 10)
    motd          = optional(string, "A SpawnIt Minecraft server")
    memory_mb     = optional(number, 2048)
    online_mode   = optional(bool, true)
    ops           = optional(string)
    port          = optional(number, 25565)
    region        = string
    instance_type = optional(string, "t3.medium")
    ssh_key_name  = optional(string)
    allowed_cidr  = optional(string, "0.0.0.0/0")
    disk_gb       = optional(number, 20)
  })

  validation {
    condition     = var.params.eula
    error_message = "params.eula must be true: the server only starts once you accept the Minecraft EULA (https://aka.ms/MinecraftEULA)."
  }

  validation {
    condition     = can(regex("^(LATEST|[0-9]+\\.[0-9]+(\\.[0-9]+)?)$", var.params.version))
    error_message = "params.version must be a Minecraft version such as 1.21.8, or LATEST."
  }

  validation {
    condition     = contains(["VANILLA", "PAPER", "FABRIC"], var.params.server_type)
    error_message = "params.server_type must be VANILLA, PAPER or FABRIC."
  }

  validation {
    condition     = contains(["peaceful", "easy", "normal", "hard"], var.params.difficulty) && contains(["survival", "creative", "adventure"], var.params.game_mode)
    error_message = "params.difficulty must be peaceful, easy, normal or hard; params.game_mode survival, creative or adventure."
  }

  validation {
    condition     = var.params.max_players >= 1 && var.params.max_players <= 200 && var.params.memory_mb >= 1024 && var.params.memory_mb <= 32768
    error_message = "params.max_players must be between 1 and 200, params.memory_mb between 1024 and 32768."
  }

  validation {
    condition     = var.params.ops == null || can(regex("^[A-Za-z0-9_]{3,16}(,[A-Za-z0-9_]{3,16})*$", var.params.ops))
    error_message = "params.ops is a comma-separated list of Minecraft usernames, e.g. alice,bob."
  }

  validation {
    condition     = length(var.params.motd) <= 120 && !strcontains(var.params.motd, "\n")
    error_message = "params.motd is one line of at most 120 characters."
  }

  validation {
    condition     = var.params.port >= 1024 && var.params.port <= 65535
    error_message = "params.port must be between 1024 and 65535."
  }

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.params.region))
    error_message = "params.region must be an AWS region such as eu-central-1."
  }

  validation {
    condition     = can(regex("^(t3|t3a|m6i|m7i|c6i|c7i|r6i)\\.[a-z0-9]+$", var.params.instance_type))
    error_message = "params.instance_type must be an x86_64 Nitro type such as t3.small or m6i.large."
  }

  validation {
    condition     = var.params.ssh_key_name == null || can(regex("^[A-Za-z0-9 ._-]{1,255}$", var.params.ssh_key_name))
    error_message = "params.ssh_key_name must be the name of an existing EC2 key pair."
  }

  validation {
    condition     = can(cidrhost(var.params.allowed_cidr, 0))
    error_message = "params.allowed_cidr must be an IPv4 CIDR block, e.g. 0.0.0.0/0 or 203.0.113.0/24."
  }

  validation {
    condition     = var.params.disk_gb >= 8 && var.params.disk_gb <= 1024
    error_message = "params.disk_gb must be between 8 and 1024."
  }
}
