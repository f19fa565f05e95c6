variable "name" {
  description = "Name of the instance, its security group and the container it runs (spawnit-<client>-<service>)."
  type        = string
}

variable "network_name" {
  description = "Name tag of the network made by modules/network/aws (spawnit-<client>-<network>)."
  type        = string
}

variable "client_id" {
  description = "Owner of the network; with network_name, it selects the subnet by its tags."
  type        = string
}

variable "instance_type" {
  description = "EC2 instance type (x86_64)."
  type        = string
}

variable "key_name" {
  description = "Name of an existing EC2 key pair for SSH; null for none."
  type        = string
  default     = null
}

variable "disk_gb" {
  description = "Size of the encrypted EBS data volume. It outlives the instance: a replaced instance mounts it again."
  type        = number
  default     = 20

  validation {
    condition     = var.disk_gb >= 8 && var.disk_gb <= 1024
    error_message = "disk_gb must be between 8 and 1024."
  }
}

variable "allowed_cidr" {
  description = "IPv4 range allowed to reach the service's ports."
  type        = string

  validation {
    condition     = can(cidrhost(var.allowed_cidr, 0))
    error_message = "allowed_cidr must be an IPv4 CIDR block, e.g. 0.0.0.0/0 or 203.0.113.0/24."
  }
}

variable "container" {
  description = <<-EOT
    The container cloud-init runs under systemd: a pinned image, its environment (written to a root-only env
    file), ports published on the instance and opened to allowed_cidr, data folders (name => path in the
    container) kept on the EBS data volume, a health check command, and how long a stop waits for a clean
    shutdown.
  EOT
  type = object({
    image        = string
    command      = optional(list(string), [])
    entrypoint   = optional(string)
    env          = optional(map(string), {})
    ports        = list(object({ host = number, container = number }))
    volumes      = map(string)
    health_cmd   = string
    stop_timeout = optional(number, 30)
    labels       = optional(map(string), {})
  })

  validation {
    condition     = can(regex("(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$", var.container.image)) && !endswith(var.container.image, ":latest")
    error_message = "The image must be pinned: a tag other than \"latest\" or a digest."
  }

  validation {
    condition     = length(var.container.health_cmd) > 0 && var.container.stop_timeout >= 5
    error_message = "The container needs a health check command and a stop_timeout of at least 5 seconds."
  }

  validation {
    condition     = alltrue([for value in values(var.container.env) : !strcontains(value, "\n")])
    error_message = "Environment values cannot contain line breaks."
  }
}
