output "name" {
  description = "Name tag shared by the VPC, subnet, gateway, route table and security group."
  value       = local.name
}

output "region" {
  description = "AWS region of the network."
  value       = var.params.region
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "subnet_id" {
  description = "ID of the public subnet services run in."
  value       = aws_subnet.this.id
}

output "security_group_id" {
  description = "ID of the network's base security group (egress, SSH)."
  value       = aws_security_group.this.id
}
