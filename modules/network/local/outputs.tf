output "name" {
  description = "Name of the Docker network; services find it by this name."
  value       = module.network.name
}

output "id" {
  description = "ID of the Docker network."
  value       = module.network.id
}
