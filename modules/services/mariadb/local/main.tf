locals {
  owner         = replace(var.context.client_id, "/[^A-Za-z0-9_.-]/", "_")
  name          = "spawnit-${local.owner}-${var.context.service_id}"
  network       = "spawnit-${local.owner}-${var.context.network_name}"
  image         = "mariadb:11.8.3"
  password      = sensitive(var.params.password)
  root_password = sensitive(var.params.root_password)
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
    mariadb = {
      name  = local.name
      image = local.image
      env = {
        MARIADB_DATABASE      = var.params.database
        MARIADB_USER          = var.params.username
        MARIADB_PASSWORD      = local.password
        MARIADB_ROOT_PASSWORD = local.root_password
        MARIADB_AUTO_UPGRADE  = "1"
      }
      ports   = [{ internal = 3306, external = var.params.port }]
      volumes = [{ volume_name = module.volumes.names.data, container_path = "/var/lib/mysql" }]
      aliases = [var.context.service_id]
      # The image's own check: connects, and waits for InnoDB to finish starting.
      healthcheck = {
        test     = ["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"]
        interval = "5s"
        retries  = 10
      }
      # InnoDB flushes its buffer pool on a clean shutdown; a kill means crash recovery at next start.
      stop_timeout = 60
    }
  }
}
