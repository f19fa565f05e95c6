# Credentials come from the environment the engine gives tofu (AWS_ACCESS_KEY_ID, AWS_PROFILE, ...).
provider "aws" {
  region = var.params.region

  default_tags {
    tags = var.context.labels
  }
}

locals {
  owner = replace(var.context.client_id, "/[^A-Za-z0-9_.-]/", "_")
  name  = "spawnit-${local.owner}-${var.context.network_name}"
  # Services look the network up by these tags (see modules/README.md).
  tags = {
    Name              = local.name
    "spawnit-client"  = var.context.client_id
    "spawnit-network" = var.context.network_name
  }
}

data "aws_availability_zones" "available" {
  state = "available"
}

resource "aws_vpc" "this" {
  cidr_block           = var.params.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = local.tags
}

resource "aws_subnet" "this" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = var.params.subnet_cidr
  availability_zone       = coalesce(var.params.availability_zone, data.aws_availability_zones.available.names[0])
  map_public_ip_on_launch = true
  tags                    = local.tags
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = local.tags
}

resource "aws_route_table" "this" {
  vpc_id = aws_vpc.this.id
  tags   = local.tags
}

resource "aws_route" "internet" {
  route_table_id         = aws_route_table.this.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "this" {
  subnet_id      = aws_subnet.this.id
  route_table_id = aws_route_table.this.id
}

# The network's own group: traffic out, SSH in only from ssh_cidr. Each service adds a group for its ports.
resource "aws_security_group" "this" {
  name        = local.name
  description = "SpawnIt network ${var.context.network_name}: egress, and SSH from the configured range"
  vpc_id      = aws_vpc.this.id
  tags        = local.tags
}

resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.this.id
  description       = "Everything out (package installs, image pulls)"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  count = var.params.ssh_cidr == null ? 0 : 1

  security_group_id = aws_security_group.this.id
  description       = "SSH"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = var.params.ssh_cidr
}
