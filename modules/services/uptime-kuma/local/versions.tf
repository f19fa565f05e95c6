terraform {
  required_version = ">= 1.9"

  required_providers {
    # No provider block: a child module inherits the caller's, and the Docker host comes from DOCKER_HOST,
    # else the local socket.
    docker = {
      source  = "kreuzwerker/docker"
      version = "~> 4.6"
    }
  }
}
