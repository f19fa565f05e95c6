# Step 1 of all-deploy.sh: the volumes first, so destroying and redeploying the containers keeps the data.
provider "docker" {}

module "volumes" {
  source = "../../modules/docker/volumes"

  volumes = { for role, name in var.volumes : role => { name = name } }
  labels  = var.labels
}
