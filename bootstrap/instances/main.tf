# Step 3 of all-deploy.sh: the S3 server and Keycloak, then the backend and the frontend. Each apply returns once
# every container's own health check passes; the backend starts only after S3 and Keycloak are ready.
provider "docker" {}

# The volumes and the network come from the earlier steps' state, so a name is written in one place only.
data "terraform_remote_state" "volumes" {
  backend = "local"
  config = {
    path = "${var.state_dir}/volumes.tfstate"
  }
}

data "terraform_remote_state" "network" {
  backend = "local"
  config = {
    path = "${var.state_dir}/network.tfstate"
  }
}

# Generated secrets without a provider: a value drawn once at create (uuid() reads the system's CSPRNG), kept in
# this step's state and never drawn again (ignore_changes), so a second apply changes nothing.
resource "terraform_data" "secret" {
  for_each = toset(concat(
    ["s3_access_key", "s3_secret_key", "keycloak_admin", "state_passphrase", "secrets_key"],
    [for name in keys(var.default_users) : "user_${name}"],
  ))

  input = sha256(join("", [uuid(), uuid(), uuid()]))

  lifecycle {
    ignore_changes = [input]
  }
}

locals {
  volumes = data.terraform_remote_state.volumes.outputs.names
  network = data.terraform_remote_state.network.outputs.name
  secret  = { for key, value in terraform_data.secret : key => value.output }

  keycloak_admin_password = coalesce(var.keycloak_admin_password, local.secret.keycloak_admin)
  s3_access_key           = "spawnit-${substr(local.secret.s3_access_key, 0, 16)}"

  frontend_url = "http://${var.public_host}:${var.ports.frontend}"
  keycloak_url = "http://${var.public_host}:${var.ports.keycloak}"
  issuer       = "${local.keycloak_url}/realms/${var.oidc.realm}"

  names = {
    s3       = "${var.name_prefix}-s3"
    keycloak = "${var.name_prefix}-keycloak"
    backend  = "${var.name_prefix}-backend"
    frontend = "${var.name_prefix}-frontend"
  }

  # How each S3 server takes its root credentials, where it listens and how it says it is ready.
  s3_servers = {
    versitygw = {
      port    = 7070
      command = null
      env = {
        ROOT_ACCESS_KEY_ID     = local.s3_access_key
        ROOT_SECRET_ACCESS_KEY = local.secret.s3_secret_key
        VGW_REGION             = var.s3.region
      }
      healthcheck = ["CMD", "curl", "--fail", "--silent", "--output", "/dev/null", "http://127.0.0.1:7070/health"]
    }
    minio = {
      port    = 9000
      command = ["server", "/data"]
      env = {
        MINIO_ROOT_USER     = local.s3_access_key
        MINIO_ROOT_PASSWORD = local.secret.s3_secret_key
        MINIO_REGION        = var.s3.region
      }
      healthcheck = ["CMD", "mc", "ready", "local"]
    }
  }
  s3_server = local.s3_servers[var.s3_server.kind]

  # The realm Keycloak imports at its first start (--import-realm skips a realm that exists): the same settings
  # as modules/common/configs/idp/* and tests/fixtures/keycloak/spawnit-realm.json.
  realm = jsonencode({
    realm                 = var.oidc.realm
    displayName           = "SpawnIt"
    enabled               = true
    registrationAllowed   = false
    loginWithEmailAllowed = true
    resetPasswordAllowed  = false
    rememberMe            = true
    sslRequired           = "external"
    passwordPolicy        = "length(12) and notUsername and notEmail"
    accessTokenLifespan   = 300
    bruteForceProtected   = true
    permanentLockout      = false
    failureFactor         = 10
    waitIncrementSeconds  = 60
    maxFailureWaitSeconds = 900
    maxDeltaTimeSeconds   = 43200
    roles = {
      realm = [{
        name        = "spawnit-admin"
        description = "Sees and manages every client's services and networks in SpawnIt."
      }]
    }
    clients = [{
      clientId                  = var.oidc.web_client
      name                      = "SpawnIt"
      enabled                   = true
      protocol                  = "openid-connect"
      publicClient              = true
      standardFlowEnabled       = true
      implicitFlowEnabled       = false
      directAccessGrantsEnabled = false
      serviceAccountsEnabled    = false
      rootUrl                   = local.frontend_url
      baseUrl                   = local.frontend_url
      redirectUris              = ["${local.frontend_url}/*"]
      webOrigins                = [local.frontend_url]
      attributes = {
        "pkce.code.challenge.method" = "S256"
        "post.logout.redirect.uris"  = "${local.frontend_url}/*"
      }
      protocolMappers = [{
        name           = "api-audience"
        protocol       = "openid-connect"
        protocolMapper = "oidc-audience-mapper"
        config = {
          "included.custom.audience"  = var.oidc.api_audience
          "access.token.claim"        = "true"
          "id.token.claim"            = "false"
          "introspection.token.claim" = "true"
        }
      }]
    }]
    users = [for name, user in var.default_users : {
      username      = name
      enabled       = true
      email         = user.email
      emailVerified = true
      firstName     = user.first_name
      lastName      = user.last_name
      realmRoles    = concat(["default-roles-${var.oidc.realm}"], user.admin ? ["spawnit-admin"] : [])
      # Temporary: Keycloak asks for a new password at the first sign-in (an import needs the required action).
      credentials     = [{ type = "password", value = substr(local.secret["user_${name}"], 0, 24), temporary = true }]
      requiredActions = ["UPDATE_PASSWORD"]
    }]
  })
}

# What the backend needs: its S3 server and the identity provider.
module "services" {
  source = "../../modules/docker/instances"

  network_name = local.network
  labels       = var.labels

  instances = {
    s3 = {
      name    = local.names.s3
      image   = var.s3_server.image
      command = local.s3_server.command
      env     = local.s3_server.env
      ports = [
        { internal = local.s3_server.port, external = var.ports.s3, ip = "127.0.0.1" },
      ]
      volumes     = [{ volume_name = local.volumes.s3, container_path = "/data" }]
      healthcheck = { test = local.s3_server.healthcheck, interval = "2s", start_period = "20s" }
      aliases     = ["s3"]
    }

    keycloak = {
      name  = local.names.keycloak
      image = var.keycloak_image
      # Production mode over plain HTTP on a private network; put a TLS proxy in front to face the internet.
      command = [
        "start",
        "--optimized",
        "--http-enabled=true",
        "--hostname=${local.keycloak_url}",
        "--hostname-backchannel-dynamic=true",
        "--import-realm",
      ]
      env = {
        KC_BOOTSTRAP_ADMIN_USERNAME = "admin"
        KC_BOOTSTRAP_ADMIN_PASSWORD = local.keycloak_admin_password
      }
      ports = [
        { internal = 8080, external = var.ports.keycloak, ip = var.public_bind_address },
        { internal = 9000, external = var.ports.keycloak_management, ip = "127.0.0.1" },
      ]
      # The file database on the volume; the realm to import stays in the image's file system.
      volumes = [{ volume_name = local.volumes.keycloak, container_path = "/opt/keycloak/data/h2" }]
      uploads = [{ file = "/opt/keycloak/data/import/${var.oidc.realm}-realm.json", content = local.realm }]
      healthcheck = {
        test         = ["CMD", "curl", "--fail", "--silent", "--output", "/dev/null", "http://127.0.0.1:9000/health/ready"]
        interval     = "2s"
        start_period = "3m0s"
        retries      = 10
      }
      wait_timeout = 300
      aliases      = ["keycloak"]
    }
  }
}

module "app" {
  source = "../../modules/docker/instances"
  # The backend checks its bucket at start and the frontend serves logins: both need the services up.
  depends_on = [module.services]

  network_name = local.network
  labels       = var.labels

  instances = {
    backend = {
      name  = local.names.backend
      image = "${var.image_repository}/backend:${var.spawnit_version}"
      env = merge(var.backend_env, {
        PORT                         = "4000"
        SPAWNIT_DATA_DIR             = "/var/lib/spawnit"
        SPAWNIT_S3_ENDPOINT          = "http://${local.names.s3}:${local.s3_server.port}"
        SPAWNIT_S3_REGION            = var.s3.region
        SPAWNIT_S3_BUCKET            = var.s3.bucket
        SPAWNIT_S3_CREATE_BUCKET     = "true"
        SPAWNIT_S3_ACCESS_KEY_ID     = local.s3_access_key
        SPAWNIT_S3_SECRET_ACCESS_KEY = local.secret.s3_secret_key
        SPAWNIT_STATE_PASSPHRASE     = local.secret.state_passphrase
        SPAWNIT_SECRETS_KEY          = local.secret.secrets_key
        SPAWNIT_OIDC_ISSUER          = local.issuer
        SPAWNIT_OIDC_JWKS_URL        = "http://${local.names.keycloak}:8080/realms/${var.oidc.realm}/protocol/openid-connect/certs"
        SPAWNIT_OIDC_AUDIENCE        = var.oidc.api_audience
        SPAWNIT_OIDC_ROLES_CLAIM     = "realm_access.roles"
        SPAWNIT_IMAGE_MAP            = jsonencode(var.image_map)
        DOCKER_HOST                  = "unix:///var/run/docker.sock"
      }, var.services_publish_ip == null ? {} : { SPAWNIT_PUBLISH_IP = var.services_publish_ip })
      group_add = [tostring(var.docker_socket_gid)]
      ports     = [{ internal = 4000, external = var.ports.backend, ip = "127.0.0.1" }]
      volumes = [
        { volume_name = local.volumes.backend, container_path = "/var/lib/spawnit" },
        { host_path = var.docker_socket, container_path = "/var/run/docker.sock" },
      ]
      healthcheck = {
        test         = ["CMD", "node", "-e", "fetch('http://127.0.0.1:4000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
        interval     = "2s"
        start_period = "1m0s"
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
      healthcheck  = { test = ["CMD", "curl", "--fail", "--silent", "--output", "/dev/null", "http://127.0.0.1:8080/healthz"], interval = "2s" }
      stop_timeout = 15
      aliases      = ["frontend"]
    }
  }
}
