# The Docker host comes from DOCKER_HOST, else the local socket.
provider "docker" {}

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

data "docker_network" "this" {
  name = local.network
}

resource "docker_image" "this" {
  name         = local.images[var.params.version]
  keep_locally = true
}

resource "docker_volume" "data" {
  name = "${local.name}-data"

  dynamic "labels" {
    for_each = var.context.labels
    content {
      label = labels.key
      value = labels.value
    }
  }
}

resource "docker_container" "this" {
  name    = local.name
  image   = docker_image.this.image_id
  restart = "unless-stopped"
  # PostgreSQL needs time for a clean shutdown (a checkpoint); a kill means crash recovery at next start.
  stop_timeout          = 60
  destroy_grace_seconds = 60
  wait                  = true
  wait_timeout          = 180

  env = [
    "POSTGRES_DB=${var.params.database}",
    "POSTGRES_USER=${var.params.username}",
    "POSTGRES_PASSWORD=${local.password}",
    "PGDATA=/var/lib/postgresql/data/pgdata",
  ]

  ports {
    internal = 5432
    external = var.params.port
  }

  volumes {
    volume_name    = docker_volume.data.name
    container_path = "/var/lib/postgresql/data"
  }

  networks_advanced {
    name    = data.docker_network.this.name
    aliases = [var.context.service_id]
  }

  # Over TCP, so it passes only once the real server (not the init-time one) accepts connections.
  healthcheck {
    test         = ["CMD-SHELL", "pg_isready -h 127.0.0.1 -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\""]
    interval     = "5s"
    timeout      = "5s"
    start_period = "30s"
    retries      = 10
  }

  dynamic "labels" {
    for_each = var.context.labels
    content {
      label = labels.key
      value = labels.value
    }
  }
}
