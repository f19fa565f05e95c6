variable "spawnit_version" {
  description = "Tag of the backend and frontend images; all-deploy.sh sets it to the commit it builds."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.spawnit_version)) && var.spawnit_version != "latest"
    error_message = "spawnit_version is an image tag other than \"latest\", e.g. 0.1.0 or a commit hash."
  }
}

variable "image_repository" {
  description = "Where the backend and frontend images come from: <repository>/backend:<version>."
  type        = string
  default     = "spawnit"
}

variable "images" {
  description = "Pinned images of MinIO and Keycloak."
  type = object({
    minio    = string
    keycloak = string
  })
}

variable "ports" {
  description = "Ports published on the host. The frontend and Keycloak face users; the others listen on 127.0.0.1 only."
  type = object({
    frontend            = number
    keycloak            = number
    keycloak_management = number
    minio_api           = number
    minio_console       = number
    backend             = number
  })
}

variable "public_host" {
  description = "Host name users' browsers reach SpawnIt at; it appears in the frontend and Keycloak URLs."
  type        = string
  default     = "localhost"
}

variable "public_bind_address" {
  description = "Host address the frontend and Keycloak ports listen on; 0.0.0.0 serves the whole network."
  type        = string
  default     = "0.0.0.0"
}

variable "s3" {
  description = "The bucket the backend keeps configurations and states in, and its region."
  type = object({
    bucket = string
    region = string
  })
}

variable "oidc" {
  description = "The Keycloak realm, the web app's public client and the audience the API checks."
  type = object({
    realm        = string
    web_client   = string
    api_audience = string
  })
}

variable "minio_root_user" {
  description = "MinIO root user, used only by the configs step."
  type        = string
  default     = "spawnit-root"
}

variable "minio_root_password" {
  description = "MinIO root password; null generates one (read it with: tofu output -raw minio_root_password)."
  type        = string
  default     = null
  sensitive   = true
}

variable "keycloak_admin_password" {
  description = "Password of Keycloak's bootstrap admin; null generates one (tofu output -raw keycloak_admin_password)."
  type        = string
  default     = null
  sensitive   = true
}

variable "docker_socket" {
  description = "Docker socket the backend deploys local services through."
  type        = string
  default     = "/var/run/docker.sock"
}

variable "docker_socket_gid" {
  description = "Group owning the Docker socket on the host; the backend (not root) joins it. all-deploy.sh detects it."
  type        = number
}

variable "backend_env" {
  description = "Extra environment of the backend, e.g. AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for EC2 services."
  type        = map(string)
  default     = {}
  sensitive   = true
}

variable "labels" {
  description = "Labels put on every container."
  type        = map(string)
  default     = {}
}
