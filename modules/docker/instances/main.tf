data "docker_network" "this" {
  name = var.network_name
}

locals {
  mirror = trimsuffix(var.platform.image_mirror, "/")
  # What each container runs once the operator's substitution applies; an official image has no "/".
  images = {
    for key, instance in var.instances : key => lookup(var.platform.image_map, instance.image,
      local.mirror == "" ? instance.image : "${local.mirror}/${strcontains(instance.image, "/") ? "" : "library/"}${instance.image}"
    )
  }
}

resource "docker_image" "this" {
  for_each = var.instances

  name         = local.images[each.key]
  keep_locally = true
}

resource "docker_container" "this" {
  for_each = var.instances

  name       = each.value.name
  image      = docker_image.this[each.key].image_id
  command    = each.value.command
  entrypoint = each.value.entrypoint
  env        = [for key, value in each.value.env : "${key}=${value}"]
  user       = each.value.user
  group_add  = each.value.group_add
  memory     = each.value.memory_mb
  # No swap beyond the limit; left unset, Docker picks twice the limit on an update and the next plan drifts.
  memory_swap = each.value.memory_mb

  restart  = each.value.restart
  must_run = true
  # A stop (docker stop, daemon restart) and a destroy both give the process time to shut down cleanly.
  stop_timeout          = each.value.stop_timeout
  destroy_grace_seconds = each.value.stop_timeout
  # The apply returns only once the health check passes.
  wait         = true
  wait_timeout = each.value.wait_timeout

  healthcheck {
    test         = each.value.healthcheck.test
    interval     = each.value.healthcheck.interval
    timeout      = each.value.healthcheck.timeout
    start_period = each.value.healthcheck.start_period
    retries      = each.value.healthcheck.retries
  }

  networks_advanced {
    name    = data.docker_network.this.name
    aliases = each.value.aliases
  }

  dynamic "ports" {
    for_each = each.value.ports
    content {
      internal = ports.value.internal
      external = ports.value.external
      ip       = coalesce(ports.value.ip, var.platform.publish_ip)
    }
  }

  dynamic "volumes" {
    for_each = each.value.volumes
    content {
      volume_name    = volumes.value.volume_name
      host_path      = volumes.value.host_path
      container_path = volumes.value.container_path
      read_only      = volumes.value.read_only
    }
  }

  dynamic "upload" {
    for_each = each.value.uploads
    content {
      file    = upload.value.file
      content = upload.value.content
    }
  }

  dynamic "labels" {
    for_each = merge(var.labels, each.value.labels)
    content {
      label = labels.key
      value = labels.value
    }
  }
}
