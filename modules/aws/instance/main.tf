data "aws_subnet" "this" {
  filter {
    name   = "tag:Name"
    values = [var.network_name]
  }

  filter {
    name   = "tag:spawnit-client"
    values = [var.client_id]
  }
}

data "aws_security_group" "network" {
  vpc_id = data.aws_subnet.this.vpc_id

  filter {
    name   = "tag:Name"
    values = [var.network_name]
  }
}

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["al2023-ami-2023.*-x86_64"]
  }

  filter {
    name   = "state"
    values = ["available"]
  }
}

locals {
  unit      = "spawnit-${var.name}.service"
  env_file  = "/etc/spawnit/${var.name}.env"
  data_root = "/var/lib/spawnit"

  run_args = concat(
    ["run", "--rm", "--name", var.name, "--env-file", local.env_file],
    var.container.entrypoint == null ? [] : ["--entrypoint", var.container.entrypoint],
    flatten([for p in var.container.ports : ["--publish", "${p.host}:${p.container}"]]),
    flatten([for volume, path in var.container.volumes : ["--volume", "${local.data_root}/${volume}:${path}"]]),
    flatten([for key, value in var.container.labels : ["--label", "${key}=${value}"]]),
    ["--stop-timeout", tostring(var.container.stop_timeout)],
    ["--health-cmd", var.container.health_cmd, "--health-interval", "10s", "--health-retries", "5"],
    [var.container.image],
    var.container.command,
  )
  # systemd unquotes "..." with C escapes and expands $ and %: escape all four.
  exec_start = join(" ", concat(["/usr/bin/docker"], [
    for arg in local.run_args :
    format("\"%s\"", replace(replace(replace(replace(arg, "\\", "\\\\"), "\"", "\\\""), "%", "%%"), "$", "$$"))
  ]))

  unit_file = <<-EOT
    [Unit]
    Description=SpawnIt service ${var.name}
    Requires=docker.service
    After=docker.service network-online.target
    Wants=network-online.target
    RequiresMountsFor=${local.data_root}

    [Service]
    Restart=always
    RestartSec=5
    TimeoutStartSec=900
    TimeoutStopSec=${var.container.stop_timeout + 30}
    ExecStartPre=-/usr/bin/docker rm --force ${var.name}
    ExecStart=${local.exec_start}
    ExecStop=/usr/bin/docker stop --time ${var.container.stop_timeout} ${var.name}

    [Install]
    WantedBy=multi-user.target
  EOT

  # Nitro instances name an EBS volume after its ID without the dash; older ones use the requested device.
  mount_script = <<-EOT
    #!/bin/bash
    # Waits for the data volume, formats it the first time only, and mounts it at ${local.data_root}.
    set -euo pipefail
    found=""
    for _ in $(seq 1 120); do
      for device in /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${replace(aws_ebs_volume.data.id, "-", "")} /dev/sdf /dev/xvdf; do
        if [ -e "$device" ]; then found="$device"; break 2; fi
      done
      sleep 5
    done
    if [ -z "$found" ]; then echo "data volume ${aws_ebs_volume.data.id} is not attached after 10 minutes" >&2; exit 1; fi
    blkid "$found" >/dev/null || mkfs.xfs "$found"
    uuid=$(blkid -s UUID -o value "$found")
    mkdir -p ${local.data_root}
    grep -q " ${local.data_root} " /etc/fstab || echo "UUID=$uuid ${local.data_root} xfs defaults,nofail 0 2" >> /etc/fstab
    mountpoint -q ${local.data_root} || mount ${local.data_root}
  EOT

  cloud_config = {
    write_files = [
      {
        path        = local.env_file
        owner       = "root:root"
        permissions = "0600"
        encoding    = "b64"
        content     = base64encode(join("", [for key, value in var.container.env : "${key}=${value}\n"]))
      },
      {
        path        = "/usr/local/sbin/spawnit-mount-data"
        owner       = "root:root"
        permissions = "0755"
        content     = local.mount_script
      },
      {
        path        = "/etc/systemd/system/${local.unit}"
        owner       = "root:root"
        permissions = "0644"
        content     = local.unit_file
      },
    ]
    runcmd = [
      ["/usr/local/sbin/spawnit-mount-data"],
      ["dnf", "install", "--assumeyes", "docker"],
      ["systemctl", "enable", "--now", "docker.service"],
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "--now", local.unit],
    ]
  }
}

resource "aws_security_group" "this" {
  name        = var.name
  description = "SpawnIt service ${var.name}: its published ports"
  vpc_id      = data.aws_subnet.this.vpc_id

  tags = {
    Name = var.name
  }
}

resource "aws_vpc_security_group_ingress_rule" "service" {
  for_each = { for p in var.container.ports : tostring(p.host) => p }

  security_group_id = aws_security_group.this.id
  description       = "Service port ${each.key}"
  ip_protocol       = "tcp"
  from_port         = each.value.host
  to_port           = each.value.host
  cidr_ipv4         = var.allowed_cidr
}

# The data lives on its own volume: changing a parameter replaces the instance, not the data.
resource "aws_ebs_volume" "data" {
  availability_zone = data.aws_subnet.this.availability_zone
  size              = var.disk_gb
  type              = "gp3"
  encrypted         = true

  tags = {
    Name = "${var.name}-data"
  }
}

resource "aws_instance" "this" {
  ami                         = data.aws_ami.al2023.id
  instance_type               = var.instance_type
  subnet_id                   = data.aws_subnet.this.id
  vpc_security_group_ids      = [data.aws_security_group.network.id, aws_security_group.this.id]
  key_name                    = var.key_name
  associate_public_ip_address = true

  user_data                   = "#cloud-config\n${yamlencode(local.cloud_config)}"
  user_data_replace_on_change = true

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = 16
    encrypted   = true
  }

  tags = {
    Name = var.name
  }

  lifecycle {
    # A newer Amazon Linux image must not replace a running service on the next plan.
    ignore_changes = [ami]
  }
}

resource "aws_volume_attachment" "data" {
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.data.id
  instance_id = aws_instance.this.id
  # Stopping the instance first lets systemd stop the container cleanly before the volume goes.
  stop_instance_before_detaching = true
}
