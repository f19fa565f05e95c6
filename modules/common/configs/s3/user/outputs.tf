output "name" {
  description = "Access key (user name) of the S3 user."
  value       = minio_iam_user.this.name
}

output "policy" {
  description = "Name of the policy that scopes the user to its bucket."
  value       = minio_iam_policy.this.name
}
