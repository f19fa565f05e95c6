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
  description = "The form values of the redis template."
  type = object({
    password        = string
    port            = optional(number, 6379)
    maxmemory_mb    = optional(number, 256)
    eviction_policy = optional(string, "noeviction")
    appendonly      = optional(bool, true)
    region          = string
    instance_type   = optional(string, "t3.micro")
    ssh_key_name    = optional(string)
    allowed_cidr    = optional(string, "0.0.0.0/0")
    disk_gb         = optional(number, 20)
  })

  validation {
    condition     = can(regex("^[^\\s\"'\\\\]{12,128}$", var.params.password))
    error_message = "params.password must be 12-128 characters without spaces, quotes or backslashes."
  }

  validation {
    condition     = var.params.port >= 1024 && var.params.port <= 65535
    error_message = "params.port must be between 1024 and 65535."
  }

  validation {
    condition     = var.params.maxmemory_mb >= 16 && var.params.maxmemory_mb <= 65536
    error_message = "params.maxmemory_mb must be between 16 and 65536."
  }

  validation {
    condition     = contains(["noeviction", "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-ttl"], var.params.eviction_policy)
    error_message = "params.eviction_policy must be noeviction, allkeys-lru, volatile-lru, allkeys-lfu or volatile-ttl."
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
