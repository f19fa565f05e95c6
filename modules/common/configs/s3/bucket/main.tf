resource "minio_s3_bucket" "this" {
  bucket        = var.bucket
  acl           = "private"
  force_destroy = var.force_destroy
}

resource "minio_s3_bucket_versioning" "this" {
  count = var.versioning ? 1 : 0

  bucket = minio_s3_bucket.this.bucket

  versioning_configuration {
    status = "Enabled"
  }
}
