output "name" {
  description = "Name of the network; the instances step attaches its containers to it."
  value       = module.network.name
}
