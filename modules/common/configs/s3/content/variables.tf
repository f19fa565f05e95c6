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

variable "content" {
  description = "Text to store, e.g. a JSON document built with jsonencode()."
  type        = string
}

variable "content_type" {
  description = "MIME type of the object."
  type        = string
  default     = "application/json"
}
