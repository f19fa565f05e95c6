resource "minio_s3_object" "this" {
  bucket_name  = var.bucket
  object_name  = var.object_name
  content      = var.content
  content_type = var.content_type
}
