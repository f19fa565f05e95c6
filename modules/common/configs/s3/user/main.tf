resource "minio_iam_user" "this" {
  name          = var.name
  secret        = var.secret
  force_destroy = true
}

# Least privilege: the user lists, reads, writes and deletes objects of one bucket, nothing else.
resource "minio_iam_policy" "this" {
  name = "${var.name}-${var.bucket}"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketVersions"]
        Resource = ["arn:aws:s3:::${var.bucket}"]
      },
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"]
        Resource = ["arn:aws:s3:::${var.bucket}/*"]
      },
    ]
  })
}

resource "minio_iam_user_policy_attachment" "this" {
  user_name   = minio_iam_user.this.id
  policy_name = minio_iam_policy.this.id
}
