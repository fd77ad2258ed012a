"""S3: encrypted parts, written once and never overwritten."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.failures import translated


class S3Blobs:
    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def put_new(self, key: str, data: bytes) -> None:
        """Write only if the key is free (If-None-Match: *), so no report overwrites another."""
        with translated("s3", taken=("PreconditionFailed", "ConditionalRequestConflict")):
            self._client.put_object(Bucket=self._bucket, Key=key, Body=data, IfNoneMatch="*")

    def get(self, key: str) -> bytes:
        with translated("s3", missing=("NoSuchKey", "404")):
            body: bytes = self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read()
        return body
