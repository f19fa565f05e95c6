variable "volumes" {
  description = "Docker volumes SpawnIt keeps its data in, by role (minio, keycloak, backend)."
  type = object({
    minio    = string
    keycloak = string
    backend  = string
  })
}

variable "labels" {
  description = "Labels put on every volume."
  type        = map(string)
  default     = {}
}
