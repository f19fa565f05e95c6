locals {
  # Docker names refuse some characters an OIDC subject may hold.
  owner = replace(var.context.client_id, "/[^A-Za-z0-9_.-]/", "_")
  name  = "spawnit-${local.owner}-${var.context.network_name}"
}

module "network" {
  source = "../../docker/network"

  name     = local.name
  internal = var.params.internal
  subnet   = var.params.subnet
  labels   = var.context.labels
}
