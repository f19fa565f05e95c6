# The Docker host comes from DOCKER_HOST, else the local socket.
provider "docker" {}

locals {
  owner   = replace(var.context.client_id, "/[^A-Za-z0-9_.-]/", "_")
  name    = "spawnit-${local.owner}-${var.context.service_id}"
  network = "spawnit-${local.owner}-${var.context.network_name}"
  image   = "itzg/minecraft-server:2025.8.0"
  env = merge(
    {
      EULA        = "TRUE"
      VERSION     = var.params.version
      TYPE        = var.params.server_type
      DIFFICULTY  = var.params.difficulty
      MODE        = var.params.game_mode
      MAX_PLAYERS = tostring(var.params.max_players)
      MOTD        = var.params.motd
      MEMORY      = "${var.params.memory_mb}M"
      ONLINE_MODE = var.params.online_mode ? "TRUE" : "FALSE"
      # The server runner turns SIGTERM into a "stop" command and waits this long for the world to be saved.
      STOP_DURATION = "75"
    },
    var.params.ops == null ? {} : { OPS = var.params.ops },
  )
  # Longer than STOP_DURATION, so Docker never kills the server while it saves the world.
  stop_timeout = 90
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
  env     = [for key, value in local.env : "${key}=${value}"]
  memory  = var.params.memory_mb + 1024
  restart = "unless-stopped"
  # A stop or a destroy waits for the world to be saved (see STOP_DURATION).
  stop_timeout          = local.stop_timeout
  destroy_grace_seconds = local.stop_timeout
  # The first start downloads the server and generates the world.
  wait         = true
  wait_timeout = 600

  ports {
    internal = 25565
    external = var.params.port
  }

  volumes {
    volume_name    = docker_volume.data.name
    container_path = "/data"
  }

  networks_advanced {
    name    = data.docker_network.this.name
    aliases = [var.context.service_id]
  }

  # The image's own check: a server list ping, as a game client does.
  healthcheck {
    test         = ["CMD", "mc-health"]
    interval     = "10s"
    timeout      = "5s"
    start_period = "5m"
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
