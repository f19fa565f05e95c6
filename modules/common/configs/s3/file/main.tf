locals {
  content_types = {
    json = "application/json"
    svg  = "image/svg+xml"
    png  = "image/png"
    md   = "text/markdown"
    txt  = "text/plain"
    html = "text/html"
  }
  extension = lower(element(split(".", var.source_path), length(split(".", var.source_path)) - 1))
}

resource "minio_s3_object" "this" {
  bucket_name = var.bucket
  object_name = var.object_name
  # Base64 keeps binary files intact and puts the content in the plan, so an edited file is a change.
  content_base64 = filebase64(var.source_path)
  content_type   = coalesce(var.content_type, lookup(local.content_types, local.extension, "application/octet-stream"))
}
