# Step 2 of all-deploy.sh: the network the SpawnIt containers reach each other on, by container name.
provider "docker" {}

module "network" {
  source = "../../modules/docker/network"

  name   = var.network_name
  subnet = var.subnet
  labels = var.labels
}
