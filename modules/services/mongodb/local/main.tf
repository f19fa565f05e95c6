locals {
  owner    = replace(var.context.client_id, "/[^A-Za-z0-9_.-]/", "_")
  name     = "spawnit-${local.owner}-${var.context.service_id}"
  network  = "spawnit-${local.owner}-${var.context.network_name}"
  image    = "mongo:8.0.13"
  password = sensitive(var.params.password)
}

module "volumes" {
  source = "../../../docker/volumes"

  labels = var.context.labels
  volumes = {
    data   = { name = "${local.name}-data" }
    config = { name = "${local.name}-config" }
  }
}

module "instances" {
  source = "../../../docker/instances"

  network_name = local.network
  labels       = var.context.labels
  platform     = var.context.platform

  instances = {
    mongodb = {
      name  = local.name
      image = local.image
      env = {
        MONGO_INITDB_ROOT_USERNAME = var.params.username
        MONGO_INITDB_ROOT_PASSWORD = local.password
        MONGO_INITDB_DATABASE      = var.params.database
      }
      ports = [{ internal = 27017, external = var.params.port }]
      volumes = [
        { volume_name = module.volumes.names.data, container_path = "/data/db" },
        { volume_name = module.volumes.names.config, container_path = "/data/configdb" },
      ]
      aliases = [var.context.service_id]
      # "ping" needs no authentication; --quiet keeps the health log short.
      healthcheck = {
        test         = ["CMD", "mongosh", "--quiet", "--host", "127.0.0.1", "--eval", "db.adminCommand('ping').ok"]
        timeout      = "10s"
        start_period = "40s"
        retries      = 6
      }
      # mongod flushes its journal and data files on SIGTERM.
      stop_timeout = 60
    }
  }
}
