locals {
  owner   = replace(var.context.client_id, "/[^A-Za-z0-9_.-]/", "_")
  name    = "spawnit-${local.owner}-${var.context.service_id}"
  network = "spawnit-${local.owner}-${var.context.network_name}"
  image   = "louislam/uptime-kuma:1.23.16"
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
    uptime_kuma = {
      name    = local.name
      image   = local.image
      ports   = [{ internal = 3001, external = var.params.http_port }]
      volumes = [{ volume_name = module.volumes.names.data, container_path = "/app/data" }]
      aliases = [var.context.service_id]
      # The image's own check.
      healthcheck = {
        test         = ["CMD", "extra/healthcheck"]
        interval     = "15s"
        timeout      = "10s"
        start_period = "60s"
      }
      # Uptime Kuma closes its SQLite database on SIGTERM.
      stop_timeout = 30
      wait_timeout = 240
    }
  }
}
