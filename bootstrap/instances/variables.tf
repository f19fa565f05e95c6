variable "name_prefix" {
  description = "Prefix of every Docker object of this deployment: containers <prefix>-s3, -keycloak, -backend, -frontend."
  type        = string
  default     = "spawnit"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,39}$", var.name_prefix))
    error_message = "name_prefix is 1 to 40 lowercase letters, digits or dashes, starting with a letter, e.g. spawnit."
  }
}

variable "state_dir" {
  description = "Folder of the earlier steps' states (volumes.tfstate, network.tfstate); all-deploy.sh sets it."
  type        = string
}

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

variable "keycloak_image" {
  description = "Pinned Keycloak image; all-deploy.sh builds spawnit/keycloak:<version> from bootstrap/images/keycloak.Dockerfile."
  type        = string
}

variable "s3_server" {
  description = "The S3 server SpawnIt keeps its data in: versitygw (built by all-deploy.sh) or minio, with its pinned image."
  type = object({
    kind  = string
    image = string
  })

  validation {
    condition     = contains(["versitygw", "minio"], var.s3_server.kind)
    error_message = "s3_server.kind is \"versitygw\" or \"minio\"."
  }
}

variable "ports" {
  description = "Ports published on the host. The frontend and Keycloak face users; the others listen on 127.0.0.1 only."
  type = object({
    frontend            = number
    keycloak            = number
    keycloak_management = number
    s3                  = number
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
  description = "The bucket the backend keeps configurations and states in (it creates it at first start), and its region."
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

variable "default_users" {
  description = "Users of the realm Keycloak imports at its first start, each with a generated temporary password; `admin` gives SpawnIt's admin role."
  type = map(object({
    email      = string
    first_name = optional(string, "")
    last_name  = optional(string, "")
    admin      = optional(bool, false)
  }))
  default = {}
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

variable "services_publish_ip" {
  description = "Host address the services users deploy publish their ports on (SPAWNIT_PUBLISH_IP); null: every address."
  type        = string
  default     = null
}

variable "image_map" {
  description = "Images that replace the modules' official ones in the services users deploy (SPAWNIT_IMAGE_MAP), official => local."
  type        = map(string)
  default     = {}
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
