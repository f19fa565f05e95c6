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

module "volumes" {
  source = "../../../docker/volumes"

  labels  = var.context.labels
  volumes = { data = { name = "${local.name}-data" } }
}

module "instances" {
  source = "../../../docker/instances"

  network_name = local.network
  labels       = var.context.labels
  platform     = var.context.platform

  instances = {
    postgresql = {
      name  = local.name
      image = local.images[var.params.version]
      env = {
        POSTGRES_DB       = var.params.database
        POSTGRES_USER     = var.params.username
        POSTGRES_PASSWORD = local.password
        PGDATA            = "/var/lib/postgresql/data/pgdata"
      }
      ports   = [{ internal = 5432, external = var.params.port }]
      volumes = [{ volume_name = module.volumes.names.data, container_path = "/var/lib/postgresql/data" }]
      aliases = [var.context.service_id]
      # Over TCP, so it passes only once the real server (not the init-time one) accepts connections.
      healthcheck = {
        test     = ["CMD-SHELL", "pg_isready -h 127.0.0.1 -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\""]
        interval = "5s"
        retries  = 10
      }
      # PostgreSQL needs time for a clean shutdown (a checkpoint); a kill means crash recovery at next start.
      stop_timeout = 60
    }
  }
}
