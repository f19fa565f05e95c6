# The Docker host comes from DOCKER_HOST, else the local socket.
provider "docker" {}

locals {
  owner         = replace(var.context.client_id, "/[^A-Za-z0-9_.-]/", "_")
  name          = "spawnit-${local.owner}-${var.context.service_id}"
  network       = "spawnit-${local.owner}-${var.context.network_name}"
  image         = "mariadb:11.8.3"
  password      = sensitive(var.params.password)
  root_password = sensitive(var.params.root_password)
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

resource "docker_container" "this" {
  name    = local.name
  image   = docker_image.this.image_id
  restart = "unless-stopped"
  # InnoDB flushes its buffer pool on a clean shutdown; a kill means crash recovery at next start.
  stop_timeout          = 60
  destroy_grace_seconds = 60
  wait                  = true
  wait_timeout          = 180

  env = [
    "MARIADB_DATABASE=${var.params.database}",
    "MARIADB_USER=${var.params.username}",
    "MARIADB_PASSWORD=${local.password}",
    "MARIADB_ROOT_PASSWORD=${local.root_password}",
    "MARIADB_AUTO_UPGRADE=1",
  ]

  ports {
    internal = 3306
    external = var.params.port
  }

  volumes {
    volume_name    = docker_volume.data.name
    container_path = "/var/lib/mysql"
  }

  networks_advanced {
    name    = data.docker_network.this.name
    aliases = [var.context.service_id]
  }

  # The image's own check: connects, and waits for InnoDB to finish starting.
  healthcheck {
    test         = ["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"]
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
