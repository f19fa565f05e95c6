terraform {
  required_version = ">= 1.9"

  required_providers {
    minio = {
      source  = "aminueza/minio"
      version = "~> 3.3"
    }
    keycloak = {
      source  = "keycloak/keycloak"
      version = "~> 5.5"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7"
    }
  }
}
