variable "bucket" {
  description = "Name of the bucket."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket))
    error_message = "A bucket name is 3-63 lowercase letters, digits, \".\" and \"-\", starting and ending with a letter or digit."
  }
}

variable "force_destroy" {
  description = "Delete the bucket's objects when the bucket is destroyed; when false, destroying a non-empty bucket fails."
  type        = bool
  default     = false
}

variable "versioning" {
  description = "Keep earlier versions of overwritten objects (state files, configurations), so a bad write can be undone."
  type        = bool
  default     = true
}
