output "bucket" {
  description = "Bucket holding the catalog and every client's configurations and states."
  value       = module.bucket.bucket
}

output "catalog_objects" {
  description = "Catalog files uploaded to the bucket."
  value       = sort([for file in module.catalog_files : file.key])
}

output "web_client_id" {
  description = "OAuth client ID of the web app."
  value       = module.web_client.client_id
}

output "users" {
  description = "Default users: username => user ID (the client ID of their services)."
  value       = { for name, user in module.users : name => user.user_id }
}

output "default_user_passwords" {
  description = "Temporary first passwords of the default users (changed at first login)."
  value       = { for name, password in random_password.users : name => password.result }
  sensitive   = true
}
