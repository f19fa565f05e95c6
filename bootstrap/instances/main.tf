# Step 3 of all-deploy.sh: the four containers. The apply returns once every one reports healthy.
provider "docker" {}

# The volumes and the network come from the earlier steps' state, so a name is written in one place only.
data "terraform_remote_state" "volumes" {
  backend = "local"
  config = {
    path = "${path.module}/../volumes/terraform.tfstate"
  }
}

data "terraform_remote_state" "network" {
  backend = "local"
  config = {
    path = "${path.module}/../network/terraform.tfstate"
  }
}

resource "random_password" "minio_root" {
  length  = 32
  special = false
}

resource "random_password" "keycloak_admin" {
  length  = 32
  special = false
}

# The backend reaches MinIO as its own user, scoped to the bucket; the configs step creates it.
resource "random_password" "backend_s3" {
  length  = 40
  special = false
}

locals {
  volumes = data.terraform_remote_state.volumes.outputs.names
  network = data.terraform_remote_state.network.outputs.name

  minio_root_password     = var.minio_root_password != null ? var.minio_root_password : random_password.minio_root.result
  keycloak_admin_password = var.keycloak_admin_password != null ? var.keycloak_admin_password : random_password.keycloak_admin.result
  backend_s3_user         = "spawnit-backend"

  frontend_url = "http://${var.public_host}:${var.ports.frontend}"
  keycloak_url = "http://${var.public_host}:${var.ports.keycloak}"
  issuer       = "${local.keycloak_url}/realms/${var.oidc.realm}"

  names = {
    minio    = "spawnit-minio"
    keycloak = "spawnit-keycloak"
    backend  = "spawnit-backend"
    frontend = "spawnit-frontend"
  }
}

module "instances" {
  source = "../../modules/docker/instances"

  network_name = local.network
  labels       = var.labels

  instances = {
    minio = {
      name    = local.names.minio
      image   = var.images.minio
      command = ["server", "/data", "--console-address", ":9001"]
      env = {
        MINIO_ROOT_USER     = var.minio_root_user
        MINIO_ROOT_PASSWORD = local.minio_root_password
      }
      ports = [
        { internal = 9000, external = var.ports.minio_api, ip = "127.0.0.1" },
        { internal = 9001, external = var.ports.minio_console, ip = "127.0.0.1" },
      ]
      volumes     = [{ volume_name = local.volumes.minio, container_path = "/data" }]
      healthcheck = { test = ["CMD", "mc", "ready", "local"] }
      aliases     = ["minio"]
    }

    keycloak = {
      name  = local.names.keycloak
      image = var.images.keycloak
      # Production mode over plain HTTP on a private network; put a TLS proxy in front to face the internet.
      command = [
        "start",
        "--http-enabled=true",
        "--hostname=${local.keycloak_url}",
        "--hostname-backchannel-dynamic=true",
        "--health-enabled=true",
      ]
      env = {
        KC_BOOTSTRAP_ADMIN_USERNAME = "admin"
        KC_BOOTSTRAP_ADMIN_PASSWORD = local.keycloak_admin_password
      }
      ports = [
        { internal = 8080, external = var.ports.keycloak, ip = var.public_bind_address },
        { internal = 9000, external = var.ports.keycloak_management, ip = "127.0.0.1" },
      ]
      volumes = [{ volume_name = local.volumes.keycloak, container_path = "/opt/keycloak/data" }]
      # The image has no curl: bash asks the management port for /health/ready over /dev/tcp.
      healthcheck = {
        test         = ["CMD-SHELL", "exec 3<>/dev/tcp/127.0.0.1/9000 && printf 'GET /health/ready HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
        start_period = "90s"
      }
      aliases = ["keycloak"]
    }

    backend = {
      name  = local.names.backend
      image = "${var.image_repository}/backend:${var.spawnit_version}"
      env = merge(var.backend_env, {
        PORT                         = "4000"
        SPAWNIT_DATA_DIR             = "/var/lib/spawnit"
        SPAWNIT_S3_ENDPOINT          = "http://${local.names.minio}:9000"
        SPAWNIT_S3_REGION            = var.s3.region
        SPAWNIT_S3_BUCKET            = var.s3.bucket
        SPAWNIT_S3_ACCESS_KEY_ID     = local.backend_s3_user
        SPAWNIT_S3_SECRET_ACCESS_KEY = random_password.backend_s3.result
        SPAWNIT_OIDC_ISSUER          = local.issuer
        SPAWNIT_OIDC_JWKS_URL        = "http://${local.names.keycloak}:8080/realms/${var.oidc.realm}/protocol/openid-connect/certs"
        SPAWNIT_OIDC_AUDIENCE        = var.oidc.api_audience
        SPAWNIT_OIDC_ROLES_CLAIM     = "realm_access.roles"
        DOCKER_HOST                  = "unix:///var/run/docker.sock"
      })
      group_add = [tostring(var.docker_socket_gid)]
      ports     = [{ internal = 4000, external = var.ports.backend, ip = "127.0.0.1" }]
      volumes = [
        { volume_name = local.volumes.backend, container_path = "/var/lib/spawnit" },
        { host_path = var.docker_socket, container_path = "/var/run/docker.sock" },
      ]
      healthcheck = {
        test = ["CMD", "node", "-e", "fetch('http://127.0.0.1:4000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
      }
      # Running tofu jobs get an interrupt and time to release their state lock before the kill.
      stop_timeout = 60
      aliases      = ["backend"]
    }

    frontend = {
      name  = local.names.frontend
      image = "${var.image_repository}/frontend:${var.spawnit_version}"
      env = {
        SPAWNIT_API_UPSTREAM   = "http://${local.names.backend}:4000"
        SPAWNIT_OIDC_ISSUER    = local.issuer
        SPAWNIT_OIDC_CLIENT_ID = var.oidc.web_client
      }
      ports        = [{ internal = 8080, external = var.ports.frontend, ip = var.public_bind_address }]
      healthcheck  = { test = ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"] }
      stop_timeout = 15
      aliases      = ["frontend"]
    }
  }
}
