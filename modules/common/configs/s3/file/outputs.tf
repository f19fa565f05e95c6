output "key" {
  description = "Key of the uploaded object."
  value       = minio_s3_object.this.object_name
}

output "etag" {
  description = "ETag of the uploaded object."
  value       = minio_s3_object.this.etag
}
