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
    image        = local.image
    env          = local.env
    ports        = [{ host = var.params.port, container = 25565 }]
    volumes      = { data = "/data" }
    health_cmd   = "mc-health"
    stop_timeout = local.stop_timeout
    labels       = var.context.labels
  }
}
