variable "bucket" {
  description = "Name of an existing bucket."
  type        = string
}

variable "object_name" {
  description = "Key of the object in the bucket."
  type        = string

  validation {
    condition     = length(var.object_name) > 0 && !startswith(var.object_name, "/") && !contains(split("/", var.object_name), "..")
    error_message = "The object name is a relative key without leading \"/\" and without \"..\"."
  }
}

variable "source_path" {
  description = "Path of the local file to upload; a change to its content is a change to the object."
  type        = string
}

variable "content_type" {
  description = "MIME type of the object; null guesses it from the file extension."
  type        = string
  default     = null
}
