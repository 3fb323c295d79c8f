"""S3 helpers: URIs, tagged uploads of a folder, downloads, prefix clean-up (all blocking)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InvalidRequest


@dataclass(frozen=True)
class S3Uri:
    bucket: str
    prefix: str  # no leading or trailing slash; may be ""

    @classmethod
    def parse(cls, uri: str, field: str = "s3_uri") -> S3Uri:
        if not isinstance(uri, str) or not uri.startswith("s3://"):
            raise InvalidRequest(f"{field} must look like s3://bucket/prefix, got {uri!r}", field=field)
        bucket, _, prefix = uri[5:].partition("/")
        if not (3 <= len(bucket) <= 63) or not all(c.isalnum() or c in "-." for c in bucket) \
                or bucket != bucket.lower():
            raise InvalidRequest(f"{field}: {bucket!r} is not a valid bucket name", field=field)
        return cls(bucket, prefix.strip("/"))

    def key(self, *parts: str) -> str:
        return "/".join(p.strip("/") for p in (self.prefix, *parts) if p and p.strip("/"))

    def child(self, *parts: str) -> S3Uri:
        return S3Uri(self.bucket, self.key(*parts))

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"


def check_bucket_region(s3: Any, bucket: str, region: str | None, field: str = "s3_input") -> None:
    """Refuse a bucket in another region before anything is uploaded: boto3 would follow S3's
    redirect and upload anyway, and SageMaker would only then refuse the job."""
    got = s3.head_bucket(Bucket=bucket)
    where = got.get("BucketRegion") or (got.get("ResponseMetadata", {}).get("HTTPHeaders") or {}).get(
        "x-amz-bucket-region")
    if region and where and where != region:
        raise InvalidRequest(f"bucket {bucket} is in {where}, but the backend uses region {region}; "
                             "use a bucket in the same region", reason="aws_bucket_region", field=field)


def iter_files(root: Path) -> Iterable[tuple[Path, str]]:
    """(path, name relative to root with '/') for every regular file; links are skipped."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath, name)
            if path.is_symlink() or not path.is_file():
                continue
            yield path, path.relative_to(root).as_posix()


def upload_file(s3: Any, path: Path, bucket: str, key: str, tagging: str,
                kms_key: str | None = None) -> None:
    extra: dict[str, Any] = {"Tagging": tagging}
    if kms_key:
        extra.update(ServerSideEncryption="aws:kms", SSEKMSKeyId=kms_key)
    # Managed transfer: PutObject for small files, multipart (also tagged) for big ones.
    s3.upload_file(str(path), bucket, key, ExtraArgs=extra)


def delete_keys(s3: Any, bucket: str, keys: list[str]) -> None:
    for start in range(0, len(keys), 1000):
        chunk = keys[start:start + 1000]
        if chunk:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True})


def list_keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(item["Key"] for item in page.get("Contents") or [])
    return keys
