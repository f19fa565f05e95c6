# Credentials come from the environment the engine gives tofu (AWS_ACCESS_KEY_ID, AWS_PROFILE, ...).
provider "aws" {
  region = var.params.region

  default_tags {
    tags = var.context.labels
  }
}

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
    entrypoint   = "sh"
    command      = concat(["-c", local.entrypoint_script, "redis"], local.server_args)
    env          = { REDIS_PASSWORD = local.password }
    ports        = [{ host = var.params.port, container = 6379 }]
    volumes      = { data = "/data" }
    health_cmd   = local.health_cmd
    stop_timeout = 30
    labels       = var.context.labels
  }
}
