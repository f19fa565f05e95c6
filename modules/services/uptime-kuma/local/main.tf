# The Docker host comes from DOCKER_HOST, else the local socket.
provider "docker" {}

locals {
  owner   = replace(var.context.client_id, "/[^A-Za-z0-9_.-]/", "_")
  name    = "spawnit-${local.owner}-${var.context.service_id}"
  network = "spawnit-${local.owner}-${var.context.network_name}"
  image   = "louislam/uptime-kuma:1.23.16"
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
  # Uptime Kuma closes its SQLite database on SIGTERM.
  stop_timeout          = 30
  destroy_grace_seconds = 30
  wait                  = true
  wait_timeout          = 240

  ports {
    internal = 3001
    external = var.params.http_port
  }

  volumes {
    volume_name    = docker_volume.data.name
    container_path = "/app/data"
  }

  networks_advanced {
    name    = data.docker_network.this.name
    aliases = [var.context.service_id]
  }

  # The image's own check.
  healthcheck {
    test         = ["CMD", "extra/healthcheck"]
    interval     = "15s"
    timeout      = "10s"
    start_period = "60s"
    retries      = 5
  }

  dynamic "labels" {
    for_each = var.context.labels
    content {
      label = labels.key
      value = labels.value
    }
  }
}
