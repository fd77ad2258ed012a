"""S3: encrypted parts, written once and never overwritten."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from chalicelib.adapters.failures import translated
from chalicelib.domain.errors import Unavailable
from chalicelib.domain.report.records import BlobVersion

_DELETE_BATCH = 1000  # DeleteObjects takes at most 1000 keys per call


class S3Blobs:
    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def put_new(self, key: str, data: bytes | bytearray) -> None:
        """Write only if the key is free (If-None-Match: *), so no report overwrites another."""
        with translated("s3", taken=("PreconditionFailed", "ConditionalRequestConflict")):
            self._client.put_object(Bucket=self._bucket, Key=key, Body=data, IfNoneMatch="*")

    def get(self, key: str) -> bytes:
        with translated("s3", missing=("NoSuchKey", "404")):
            body: bytes = self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read()
        return body

    def put_public(self, key: str, data: bytes, content_type: str) -> None:
        """Overwrite a deliberately public, plaintext object (e.g. the acknowledgments).

        SSE-S3 instead of the bucket's default SSE-KMS: whoever may read it (the intake
        function) then needs s3:GetObject only, never kms:Decrypt on the report key.
        """
        with translated("s3"):
            self._client.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                ServerSideEncryption="AES256",
            )

    def versions(self, prefix: str) -> Iterator[BlobVersion]:
        """Every version and delete marker under `prefix`, page by page."""
        paginator = self._client.get_paginator("list_object_versions")
        with translated("s3"):
            for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
                for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                    yield BlobVersion(entry["Key"], entry["VersionId"], entry["LastModified"])

    def delete_versions(self, versions: Sequence[BlobVersion]) -> None:
        """Delete these exact versions (the bucket is versioned: a plain delete only hides)."""
        for start in range(0, len(versions), _DELETE_BATCH):
            batch = versions[start : start + _DELETE_BATCH]
            with translated("s3"):
                answer = self._client.delete_objects(
                    Bucket=self._bucket,
                    Delete={
                        "Objects": [{"Key": v.key, "VersionId": v.version_id} for v in batch],
                        "Quiet": True,
                    },
                )
            if answer.get("Errors"):
                raise Unavailable("s3")
