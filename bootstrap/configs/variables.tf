variable "catalog_dir" {
  description = "The catalog folder uploaded to the bucket (catalog.json, templates, icons), relative to this folder."
  type        = string
  default     = "../../catalog"
}

variable "realm_display_name" {
  description = "Name shown on the login page."
  type        = string
  default     = "SpawnIt"
}

variable "default_users" {
  description = "Users created in the realm, each with a generated temporary password and an S3 folder of its own; `admin` gives the realm's admin role."
  type = map(object({
    email      = string
    first_name = optional(string, "")
    last_name  = optional(string, "")
    admin      = optional(bool, false)
  }))
  default = {}
}

variable "force_destroy_bucket" {
  description = "Let a destroy delete the bucket with every client's configurations and states in it."
  type        = bool
  default     = true
}
