variable "name" {
  description = "Name of the Docker network."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$", var.name))
    error_message = "The network name must be 1-128 letters, digits, \"_\", \".\" or \"-\", starting with a letter or digit."
  }
}

variable "driver" {
  description = "Network driver."
  type        = string
  default     = "bridge"
}

variable "internal" {
  description = "Isolate the network from the outside world (no route out of the host)."
  type        = bool
  default     = false
}

variable "subnet" {
  description = "IPv4 subnet in CIDR notation; null lets Docker choose a free one."
  type        = string
  default     = null

  validation {
    condition     = var.subnet == null || can(cidrhost(var.subnet, 0))
    error_message = "The subnet must be an IPv4 CIDR block such as 172.30.0.0/24."
  }
}

variable "labels" {
  description = "Labels to put on the network."
  type        = map(string)
  default     = {}
}
