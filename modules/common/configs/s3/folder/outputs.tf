output "prefix" {
  description = "Key prefix of the folder, with its trailing slash."
  value       = minio_s3_object.this.object_name
}
