variable "name_prefix" {
  description = "Prefix of every Docker object of this deployment: <prefix>-s3-data, <prefix>-keycloak-data, <prefix>-backend-data."
  type        = string
  default     = "spawnit"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,39}$", var.name_prefix))
    error_message = "name_prefix is 1 to 40 lowercase letters, digits or dashes, starting with a letter, e.g. spawnit."
  }
}

variable "labels" {
  description = "Labels put on every volume."
  type        = map(string)
  default     = {}
}
