variable "bucket" {
  description = "Name of an existing bucket."
  type        = string
}

variable "folder_name" {
  description = "Path of the folder in the bucket, without leading or trailing slash (e.g. clients/alice)."
  type        = string

  validation {
    condition     = can(regex("^[^/]+(/[^/]+)*$", var.folder_name)) && !contains(split("/", var.folder_name), "..")
    error_message = "The folder name is a relative path without leading or trailing \"/\" and without \"..\"."
  }
}
