locals {
  owner    = replace(var.context.client_id, "/[^A-Za-z0-9_.-]/", "_")
  name     = "spawnit-${local.owner}-${var.context.service_id}"
  network  = "spawnit-${local.owner}-${var.context.network_name}"
  image    = "redis:7.4.5-alpine"
  password = sensitive(var.params.password)
  # The password goes from the environment into a root-only config file, never onto the command line
  # (where ps shows it); the image's entrypoint then drops to the redis user.
  entrypoint_script = join(" && ", [
    "umask 077",
    "mkdir -p /usr/local/etc/redis",
    "printf 'requirepass %s\\n' \"$REDIS_PASSWORD\" > /usr/local/etc/redis/redis.conf",
    "chown -R redis /usr/local/etc/redis",
    "exec docker-entrypoint.sh redis-server /usr/local/etc/redis/redis.conf \"$@\"",
  ])
  server_args = [
    "--appendonly", var.params.appendonly ? "yes" : "no",
    "--maxmemory", "${var.params.maxmemory_mb}mb",
    "--maxmemory-policy", var.params.eviction_policy,
  ]
  health_cmd = "REDISCLI_AUTH=\"$REDIS_PASSWORD\" redis-cli -h 127.0.0.1 ping | grep -q PONG"
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
    redis = {
      name       = local.name
      image      = local.image
      entrypoint = ["sh", "-c", local.entrypoint_script, "redis"]
      command    = local.server_args
      env        = { REDIS_PASSWORD = local.password }
      memory_mb  = var.params.maxmemory_mb + 128
      ports      = [{ internal = 6379, external = var.params.port }]
      volumes    = [{ volume_name = module.volumes.names.data, container_path = "/data" }]
      aliases    = [var.context.service_id]
      healthcheck = {
        test         = ["CMD-SHELL", local.health_cmd]
        interval     = "5s"
        timeout      = "3s"
        start_period = "10s"
        retries      = 10
      }
      # On SIGTERM Redis writes its append-only file and exits; give it time with a large dataset.
      stop_timeout = 30
      wait_timeout = 120
    }
  }
}
