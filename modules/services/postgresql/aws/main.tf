# Credentials come from the environment the engine gives tofu (AWS_ACCESS_KEY_ID, AWS_PROFILE, ...).
provider "aws" {
  region = var.params.region

  default_tags {
    tags = var.context.labels
  }
}

locals {
  owner   = replace(var.context.client_id, "/[^A-Za-z0-9_.-]/", "_")
  name    = "spawnit-${local.owner}-${var.context.service_id}"
  network = "spawnit-${local.owner}-${var.context.network_name}"
  images = {
    "16" = "postgres:16.10-alpine"
    "17" = "postgres:17.6-alpine"
  }
  password = sensitive(var.params.password)
}

module "instance" {
  source = "../../../aws/instance"

  name          = local.name
  network_name  = local.network
  client_id     = var.context.client_id
  instance_type = var.params.instance_type
  key_name      = var.params.ssh_key_name
  disk_gb       = var.params.disk_gb
  allowed_cidr  = var.params.allowed_cidr

  container = {
    image = local.images[var.params.version]
    env = {
      POSTGRES_DB       = var.params.database
      POSTGRES_USER     = var.params.username
      POSTGRES_PASSWORD = local.password
      PGDATA            = "/var/lib/postgresql/data/pgdata"
    }
    ports        = [{ host = var.params.port, container = 5432 }]
    volumes      = { data = "/var/lib/postgresql/data" }
    health_cmd   = "pg_isready -h 127.0.0.1 -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\""
    stop_timeout = 60
    labels       = var.context.labels
  }
}
