variable "name" {
  description = "Access key (user name) of the S3 user."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.@-]{3,64}$", var.name))
    error_message = "The user name is 3-64 letters, digits, \"_\", \".\", \"@\" or \"-\"."
  }
}

variable "secret" {
  description = "Secret key of the user (at least 8 characters)."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.secret) >= 8
    error_message = "The secret key must be at least 8 characters long."
  }
}

variable "bucket" {
  description = "The one bucket this user may read and write; it gets no other right."
  type        = string
}
