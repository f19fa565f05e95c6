# S3 has no folders: an empty object whose key ends with "/" makes one visible in consoles and listings.
resource "minio_s3_object" "this" {
  bucket_name  = var.bucket
  object_name  = "${var.folder_name}/"
  content      = ""
  content_type = "application/x-directory"
}
