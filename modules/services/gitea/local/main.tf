# The Docker host comes from DOCKER_HOST, else the local socket.
provider "docker" {}

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

data "docker_network" "this" {
  name = local.network
}

resource "docker_image" "this" {
  name         = local.image
  keep_locally = true
}

resource "docker_volume" "data" {
  name = "${local.name}-data"

  dynamic "labels" {
    for_each = var.context.labels
    content {
      label = labels.key
      value = labels.value
    }
  }
}

resource "docker_volume" "config" {
  name = "${local.name}-config"

  dynamic "labels" {
    for_each = var.context.labels
    content {
      label = labels.key
      value = labels.value
    }
  }
}

resource "docker_container" "this" {
  name    = local.name
  image   = docker_image.this.image_id
  command = ["sh", "-c", local.start_script]
  env     = [for key, value in local.env : "${key}=${value}"]
  restart = "unless-stopped"
  # Gitea finishes running requests and closes its SQLite database on SIGTERM.
  stop_timeout          = 30
  destroy_grace_seconds = 30
  wait                  = true
  wait_timeout          = 180

  ports {
    internal = 3000
    external = var.params.http_port
  }

  ports {
    internal = 2222
    external = var.params.ssh_port
  }

  volumes {
    volume_name    = docker_volume.data.name
    container_path = "/var/lib/gitea"
  }

  volumes {
    volume_name    = docker_volume.config.name
    container_path = "/etc/gitea"
  }

  networks_advanced {
    name    = data.docker_network.this.name
    aliases = [var.context.service_id]
  }

  healthcheck {
    test         = ["CMD", "curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:3000/api/healthz"]
    interval     = "10s"
    timeout      = "5s"
    start_period = "60s"
    retries      = 6
  }

  dynamic "labels" {
    for_each = var.context.labels
    content {
      label = labels.key
      value = labels.value
    }
  }
}
