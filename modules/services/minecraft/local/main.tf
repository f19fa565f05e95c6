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
    minecraft = {
      name      = local.name
      image     = local.image
      env       = local.env
      memory_mb = var.params.memory_mb + 1024
      ports     = [{ internal = 25565, external = var.params.port }]
      volumes   = [{ volume_name = module.volumes.names.data, container_path = "/data" }]
      aliases   = [var.context.service_id]
      # The image's own check: a server list ping, as a game client does.
      healthcheck = {
        test         = ["CMD", "mc-health"]
        start_period = "5m"
        retries      = 6
      }
      # A stop or a destroy waits for the world to be saved (see STOP_DURATION).
      stop_timeout = local.stop_timeout
      # The first start downloads the server and generates the world.
      wait_timeout = 600
    }
  }
}
