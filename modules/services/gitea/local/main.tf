locals {
  owner    = replace(var.context.client_id, "/[^A-Za-z0-9_.-]/", "_")
  name     = "spawnit-${local.owner}-${var.context.service_id}"
  network  = "spawnit-${local.owner}-${var.context.network_name}"
  image    = "gitea/gitea:1.24.6-rootless"
  root_url = "http://${var.params.domain}:${var.params.http_port}/"
  password = sensitive(var.params.admin_password)

  env = {
    GITEA__database__DB_TYPE             = "sqlite3"
    GITEA__server__DOMAIN                = var.params.domain
    GITEA__server__ROOT_URL              = local.root_url
    GITEA__server__SSH_DOMAIN            = var.params.domain
    GITEA__server__SSH_PORT              = tostring(var.params.ssh_port)
    GITEA__server__SSH_LISTEN_PORT       = "2222"
    GITEA__security__INSTALL_LOCK        = "true"
    GITEA__security__SECRET_KEY          = random_password.secret_key.result
    GITEA__security__INTERNAL_TOKEN      = random_password.internal_token.result
    GITEA__service__DISABLE_REGISTRATION = var.params.allow_registration ? "false" : "true"
    GITEA__service__REQUIRE_SIGNIN_VIEW  = "false"
    GITEA__openid__ENABLE_OPENID_SIGNUP  = "false"
    SPAWNIT_ADMIN_USERNAME               = var.params.admin_username
    SPAWNIT_ADMIN_EMAIL                  = var.params.admin_email
    SPAWNIT_ADMIN_PASSWORD               = local.password
  }

  # The install page is locked, so the admin account is made here, once, before the web server starts.
  start_script = <<-EOT
    set -e
    gitea migrate
    if ! gitea admin user list --admin | awk 'NR > 1 { print $2 }' | grep -qx "$SPAWNIT_ADMIN_USERNAME"; then
      gitea admin user create --admin --username "$SPAWNIT_ADMIN_USERNAME" --password "$SPAWNIT_ADMIN_PASSWORD" \
        --email "$SPAWNIT_ADMIN_EMAIL" --must-change-password=false
    fi
    exec gitea web
  EOT
}

# Server-side secrets the user never sees; they stay stable in the state across restarts.
resource "random_password" "secret_key" {
  length  = 64
  special = false
}

resource "random_password" "internal_token" {
  length  = 64
  special = false
}

module "volumes" {
  source = "../../../docker/volumes"

  labels = var.context.labels
  volumes = {
    data   = { name = "${local.name}-data" }
    config = { name = "${local.name}-config" }
  }
}

module "instances" {
  source = "../../../docker/instances"

  network_name = local.network
  labels       = var.context.labels
  platform     = var.context.platform

  instances = {
    gitea = {
      name    = local.name
      image   = local.image
      command = ["sh", "-c", local.start_script]
      env     = local.env
      ports = [
        { internal = 3000, external = var.params.http_port },
        { internal = 2222, external = var.params.ssh_port },
      ]
      volumes = [
        { volume_name = module.volumes.names.data, container_path = "/var/lib/gitea" },
        { volume_name = module.volumes.names.config, container_path = "/etc/gitea" },
      ]
      aliases = [var.context.service_id]
      healthcheck = {
        test         = ["CMD", "curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:3000/api/healthz"]
        start_period = "60s"
        retries      = 6
      }
      # Gitea finishes running requests and closes its SQLite database on SIGTERM.
      stop_timeout = 30
    }
  }
}
