# Step 1 of all-deploy.sh: the volumes first, so destroying and redeploying the containers keeps the data.
provider "docker" {}

module "volumes" {
  source = "../../modules/docker/volumes"

  volumes = {
    for role in ["s3", "keycloak", "backend"] : role => { name = "${var.name_prefix}-${role}-data" }
  }
  labels = var.labels
}
