resource "docker_network" "this" {
  name       = var.name
  driver     = var.driver
  internal   = var.internal
  attachable = true

  dynamic "ipam_config" {
    for_each = var.subnet == null ? [] : [var.subnet]
    content {
      subnet = ipam_config.value
    }
  }

  dynamic "labels" {
    for_each = var.labels
    content {
      label = labels.key
      value = labels.value
    }
  }
}
