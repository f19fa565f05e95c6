# The Docker host comes from DOCKER_HOST, else the local socket.
provider "docker" {}

locals {
  owner    = replace(var.context.client_id, "/[^A-Za-z0-9_.-]/", "_")
  name     = "spawnit-${local.owner}-${var.context.service_id}"
  network  = "spawnit-${local.owner}-${var.context.network_name}"
  image    = "mongo:8.0.13"
  password = sensitive(var.params.password)
}

data "docker_network" "this" {
  name = local.network
}

resource "docker_image" "this" {
  name         = local.image
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

resource "docker_volume" "config" {
  name = "${local.name}-config"

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
  # mongod flushes its journal and data files on SIGTERM.
  stop_timeout          = 60
  destroy_grace_seconds = 60
  wait                  = true
  wait_timeout          = 180

  env = [
    "MONGO_INITDB_ROOT_USERNAME=${var.params.username}",
    "MONGO_INITDB_ROOT_PASSWORD=${local.password}",
    "MONGO_INITDB_DATABASE=${var.params.database}",
  ]

  ports {
    internal = 27017
    external = var.params.port
  }

  volumes {
    volume_name    = docker_volume.data.name
    container_path = "/data/db"
  }

  volumes {
    volume_name    = docker_volume.config.name
    container_path = "/data/configdb"
  }

  networks_advanced {
    name    = data.docker_network.this.name
    aliases = [var.context.service_id]
  }

  # "ping" needs no authentication; --quiet keeps the health log short.
  healthcheck {
    test         = ["CMD", "mongosh", "--quiet", "--host", "127.0.0.1", "--eval", "db.adminCommand('ping').ok"]
    interval     = "10s"
    timeout      = "10s"
    start_period = "40s"
    retries      = 6
  }

  dynamic "labels" {
    for_each = var.context.labels
    content {
      label = labels.key
      value = labels.value
    }
  }
}
