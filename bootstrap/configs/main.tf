# Step 4 of all-deploy.sh: what runs inside MinIO and Keycloak (bucket, folders, catalog, realm, client, users).
# The endpoints and admin credentials come from the instances step's state.
data "terraform_remote_state" "instances" {
  backend = "local"
  config = {
    path = "${path.module}/../instances/terraform.tfstate"
  }
}

locals {
  instances = data.terraform_remote_state.instances.outputs
  bucket    = local.instances.s3.bucket
  catalog   = abspath("${path.module}/${var.catalog_dir}")
}

provider "minio" {
  minio_server   = trimprefix(local.instances.minio_url, "http://")
  minio_user     = local.instances.minio_root_user
  minio_password = local.instances.minio_root_password
  minio_region   = local.instances.s3.region
  minio_ssl      = false
}

provider "keycloak" {
  url       = local.instances.keycloak_url
  realm     = "master"
  client_id = "admin-cli"
  username  = "admin"
  password  = local.instances.keycloak_admin_password
}

module "bucket" {
  source = "../../modules/common/configs/s3/bucket"

  bucket        = local.bucket
  force_destroy = var.force_destroy_bucket
}

# clients/<clientId>/ holds each client's service and network configurations and their states.
module "clients_folder" {
  source = "../../modules/common/configs/s3/folder"

  bucket      = module.bucket.bucket
  folder_name = "clients"
}

module "catalog_folder" {
  source = "../../modules/common/configs/s3/folder"

  bucket      = module.bucket.bucket
  folder_name = "catalog"
}

module "catalog_files" {
  source   = "../../modules/common/configs/s3/file"
  for_each = fileset(local.catalog, "{catalog.json,templates/*.json,networks/*.json,icons/*.svg}")

  bucket      = module.bucket.bucket
  object_name = "catalog/${each.value}"
  source_path = "${local.catalog}/${each.value}"
}

module "backend_user" {
  source = "../../modules/common/configs/s3/user"

  name   = local.instances.backend_s3_user
  secret = local.instances.backend_s3_secret
  bucket = module.bucket.bucket
}

module "realm" {
  source = "../../modules/common/configs/idp/realm"

  realm        = local.instances.oidc.realm
  display_name = var.realm_display_name
}

module "web_client" {
  source = "../../modules/common/configs/idp/client"

  realm_id     = module.realm.id
  client_id    = local.instances.oidc.web_client
  name         = "SpawnIt"
  root_url     = local.instances.frontend_url
  api_audience = local.instances.oidc.api_audience
}

resource "random_password" "users" {
  for_each = var.default_users

  length  = 20
  special = false
}

module "users" {
  source   = "../../modules/common/configs/idp/user"
  for_each = var.default_users

  realm_id         = module.realm.id
  username         = each.key
  email            = each.value.email
  first_name       = each.value.first_name
  last_name        = each.value.last_name
  initial_password = random_password.users[each.key].result
  realm_role_ids   = each.value.admin ? [module.realm.admin_role_id] : []
}

# One folder per user, named after the user's ID: the "sub" of its tokens, which the engine uses as client ID.
module "user_folders" {
  source   = "../../modules/common/configs/s3/folder"
  for_each = var.default_users

  bucket      = module.bucket.bucket
  folder_name = "clients/${module.users[each.key].user_id}"
}
