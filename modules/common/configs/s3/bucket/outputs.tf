output "bucket" {
  description = "Name of the bucket."
  value       = minio_s3_bucket.this.bucket
}

output "arn" {
  description = "ARN of the bucket, for policies."
  value       = minio_s3_bucket.this.arn
}
