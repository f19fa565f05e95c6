variable "name_prefix" {
  description = "Prefix of every Docker object of this deployment; the network is named after it."
  type        = string
  default     = "spawnit"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,39}$", var.name_prefix))
    error_message = "name_prefix is 1 to 40 lowercase letters, digits or dashes, starting with a letter, e.g. spawnit."
  }
}

variable "subnet" {
  description = "IPv4 subnet of the network; null lets Docker pick a free one."
  type        = string
  default     = null
}

variable "labels" {
  description = "Labels put on the network."
  type        = map(string)
  default     = {}
}
