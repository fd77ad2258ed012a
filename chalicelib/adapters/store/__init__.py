"""Where reports are kept: DynamoDB items, S3 parts, KMS data keys."""
