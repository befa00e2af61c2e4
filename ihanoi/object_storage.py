"""S3-compatible object storage for the media (city-scale topology), through django-storages' S3 backend.

`s3_storages(...)` returns the STORAGES entries "default" (public: photos without EXIF, thumbnails) and
"private" (originals with EXIF/GPS, pending uploads). settings/base.py calls it when AWS_STORAGE_BUCKET_NAME
is set; the tests call it with a local S3 endpoint. Public objects get `public_acl` (empty when the bucket has a
public-read policy instead of ACLs) and plain URLs; private objects are private and their URLs are presigned
GETs valid `ttl` seconds, handed to staff only (feedback/private_media.py).
"""
from __future__ import annotations

S3_BACKEND = "storages.backends.s3.S3Storage"


def s3_storages(
    *, bucket: str, private_bucket: str = "", private_location: str = "private", endpoint_url: str = "",
    region: str = "", access_key: str = "", secret_key: str = "", public_acl: str = "public-read",
    custom_domain: str = "", ttl: int = 300,
) -> dict:
    common = {
        "endpoint_url": endpoint_url or None, "region_name": region or None,
        "access_key": access_key or None, "secret_key": secret_key or None,
        "file_overwrite": False, "signature_version": "s3v4",
        "addressing_style": "path" if endpoint_url else None,  # MinIO and other local endpoints: /bucket/key
    }
    public = common | {
        "bucket_name": bucket, "default_acl": public_acl or None, "querystring_auth": False,
        "custom_domain": custom_domain or None,
    }
    private = common | {
        "bucket_name": private_bucket or bucket,
        "location": "" if private_bucket else private_location,  # a prefix when both share one bucket
        "default_acl": "private", "querystring_auth": True, "querystring_expire": ttl,
    }
    return {"default": {"BACKEND": S3_BACKEND, "OPTIONS": public},
            "private": {"BACKEND": S3_BACKEND, "OPTIONS": private}}
