resource "docker_volume" "this" {
  for_each = var.volumes

  name   = each.value.name
  driver = var.driver

  dynamic "labels" {
    for_each = merge(var.labels, each.value.labels)
    content {
      label = labels.key
      value = labels.value
    }
  }
}
