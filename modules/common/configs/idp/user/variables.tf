variable "realm_id" {
  description = "ID of the realm the user belongs to."
  type        = string
}

variable "username" {
  description = "Login name."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._-]{1,63}$", var.username))
    error_message = "The username is 2-64 lowercase letters, digits, \".\", \"_\" or \"-\"."
  }
}

variable "email" {
  description = "E-mail address, marked as verified."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+$", var.email))
    error_message = "The e-mail address must look like name@example.com."
  }
}

variable "first_name" {
  description = "First name."
  type        = string
  default     = ""
}

variable "last_name" {
  description = "Last name."
  type        = string
  default     = ""
}

variable "initial_password" {
  description = "First password of the user."
  type        = string
  sensitive   = true
}

variable "temporary_password" {
  description = "Make the user choose a new password at first login."
  type        = bool
  default     = true
}

variable "realm_role_ids" {
  description = "IDs of realm roles given to the user (e.g. the realm module's admin_role_id)."
  type        = list(string)
  default     = []
}
