# Step 2 of all-deploy.sh: the network the SpawnIt containers reach each other on, by container name.
provider "docker" {}

module "network" {
  source = "../../modules/docker/network"

  name   = var.name_prefix
  subnet = var.subnet
  labels = var.labels
}
