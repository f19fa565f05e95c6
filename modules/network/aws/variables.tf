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
  description = "Where the network lives and its address ranges."
  type = object({
    region            = string                           # AWS region, e.g. eu-central-1; services use the same.
    vpc_cidr          = optional(string, "10.42.0.0/16") # Address range of the VPC.
    subnet_cidr       = optional(string, "10.42.1.0/24") # Address range of the public subnet, inside vpc_cidr.
    availability_zone = optional(string)                 # Zone of the subnet; null takes the first available one.
    ssh_cidr          = optional(string)                 # IPv4 range allowed to SSH to instances; null allows none.
  })

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.params.region))
    error_message = "params.region must be an AWS region such as eu-central-1."
  }

  validation {
    condition     = can(cidrhost(var.params.vpc_cidr, 0)) && can(cidrhost(var.params.subnet_cidr, 0))
    error_message = "params.vpc_cidr and params.subnet_cidr must be IPv4 CIDR blocks, e.g. 10.42.0.0/16 and 10.42.1.0/24."
  }

  validation {
    condition     = var.params.ssh_cidr == null || can(cidrhost(var.params.ssh_cidr, 0))
    error_message = "params.ssh_cidr must be an IPv4 CIDR block, e.g. 203.0.113.7/32 for one address."
  }
}
