terraform {
  required_version = ">= 1.9"

  # all-deploy.sh sets the path at init (-backend-config=path=...): one state file per step, outside the repository.
  backend "local" {}

  required_providers {
    docker = {
      source  = "kreuzwerker/docker"
      version = "~> 4.6"
    }
  }
}
