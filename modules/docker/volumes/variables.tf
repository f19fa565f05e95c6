variable "volumes" {
  description = "Volumes to create, by key: the Docker volume name and its own labels."
  type = map(object({
    name   = string
    labels = optional(map(string), {})
  }))

  validation {
    condition     = alltrue([for v in values(var.volumes) : can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$", v.name))])
    error_message = "Volume names must be 1-128 letters, digits, \"_\", \".\" or \"-\", starting with a letter or digit."
  }
}

variable "labels" {
  description = "Labels to put on every volume, merged under each volume's own labels."
  type        = map(string)
  default     = {}
}

variable "driver" {
  description = "Volume driver."
  type        = string
  default     = "local"
}
