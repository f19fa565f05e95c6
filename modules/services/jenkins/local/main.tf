locals {
  owner    = replace(var.context.client_id, "/[^A-Za-z0-9_.-]/", "_")
  name     = "spawnit-${local.owner}-${var.context.service_id}"
  network  = "spawnit-${local.owner}-${var.context.network_name}"
  image    = "jenkins/jenkins:2.516.3-lts-jdk21"
  url      = "http://localhost:${var.params.http_port}/"
  password = sensitive(var.params.admin_password)

  # Plugins come from the update center for this Jenkins version; a failure leaves Jenkins up without them.
  start_script = <<-EOT
    if [ -n "$SPAWNIT_PLUGINS" ]; then
      jenkins-plugin-cli --plugins $SPAWNIT_PLUGINS || echo "Could not install $SPAWNIT_PLUGINS; add them in Manage Jenkins > Plugins." >&2
    fi
    exec /usr/local/bin/jenkins.sh
  EOT
}

module "volumes" {
  source = "../../../docker/volumes"

  labels  = var.context.labels
  volumes = { home = { name = "${local.name}-home" } }
}

module "instances" {
  source = "../../../docker/instances"

  network_name = local.network
  labels       = var.context.labels
  platform     = var.context.platform

  instances = {
    jenkins = {
      name      = local.name
      image     = local.image
      command   = ["sh", "-c", local.start_script]
      memory_mb = var.params.memory_mb
      env = {
        # The setup wizard is replaced by admin.groovy: the account exists before anyone can reach the page.
        JAVA_OPTS              = "-Djenkins.install.runSetupWizard=false -XX:MaxRAMPercentage=75"
        SPAWNIT_ADMIN_USERNAME = var.params.admin_username
        SPAWNIT_ADMIN_PASSWORD = local.password
        SPAWNIT_URL            = local.url
        SPAWNIT_PLUGINS        = var.params.plugins
      }
      # Files under ref/ are copied into JENKINS_HOME at start; ".override" replaces an older copy.
      uploads = [{
        file    = "/usr/share/jenkins/ref/init.groovy.d/spawnit-admin.groovy.override"
        content = file("${path.module}/admin.groovy")
      }]
      ports   = [{ internal = 8080, external = var.params.http_port }]
      volumes = [{ volume_name = module.volumes.names.home, container_path = "/var/jenkins_home" }]
      aliases = [var.context.service_id]
      healthcheck = {
        test         = ["CMD", "curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/login"]
        start_period = "3m"
        retries      = 6
      }
      # Jenkins finishes writing build records and its configuration on SIGTERM.
      stop_timeout = 60
      # The first start installs plugins.
      wait_timeout = 600
    }
  }
}
