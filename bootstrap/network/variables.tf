variable "network_name" {
  description = "Name of the Docker network the SpawnIt containers share."
  type        = string
}

variable "subnet" {
  description = "IPv4 subnet of the network; null lets Docker pick a free one."
  type        = string
  default     = null
}

variable "labels" {
  description = "Labels put on the network."
  type        = map(string)
  default     = {}
}
