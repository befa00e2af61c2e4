"""Photos kept between two tries of the report form, so a citizen never has to pick them again.

A photo that passed verification while something else on the form was wrong is written to the private
storage under pending/ and the form carries a signed token naming it (the token cannot be forged to read
another file, and expires). Nothing is published: pending photos are private originals.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import storages

SALT = "feedback.uploads.pending-photo"
MAX_AGE_SECONDS = 24 * 3600
PREFIX = "pending/"


@dataclass(frozen=True)
class PendingPhoto:
    token: str
    filename: str  # the citizen's own file name, for display
    gps: tuple[float, float] | None


def _storage():
    return storages["private"]


def keep(upload, *, gps: tuple[float, float] | None) -> PendingPhoto:
    """Store a verified upload privately; return its token."""
    upload.seek(0)
    ext = (upload.name.rsplit(".", 1)[-1] if "." in upload.name else "img").lower()[:5]
    stored = _storage().save(f"{PREFIX}{uuid.uuid4().hex}.{ext}", ContentFile(upload.read()))
    filename = upload.name[-100:]
    token = signing.dumps({"p": stored, "n": filename, "g": list(gps) if gps else None}, salt=SALT, compress=True)
    return PendingPhoto(token=token, filename=filename, gps=gps)


def read_token(token: str) -> PendingPhoto | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if not str(data.get("p", "")).startswith(PREFIX) or not _storage().exists(data["p"]):
        return None
    gps = tuple(data["g"]) if data.get("g") else None
    return PendingPhoto(token=token, filename=data.get("n", "photo"), gps=gps)


def open_kept(token: str) -> ContentFile | None:
    """The kept file, ready to hand to submit_report (None if expired or gone)."""
    if read_token(token) is None:
        return None
    data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    with _storage().open(data["p"], "rb") as f:
        return ContentFile(f.read(), name=data.get("n", "photo.jpg"))


def preview(token: str) -> bytes | None:
    """A small JPEG of a kept photo, oriented and without EXIF (for the form to show what it holds)."""
    from .photos import make_thumbnail, process_photo

    kept = open_kept(token)
    if kept is None:
        return None
    public = process_photo(kept).public
    return make_thumbnail(public, size=240).read()


def discard(tokens) -> None:
    """Delete kept files once the report is stored (or the citizen removed them)."""
    for token in tokens:
        try:
            data = signing.loads(token, salt=SALT, max_age=None)
        except signing.BadSignature:
            continue
        path = str(data.get("p", ""))
        if path.startswith(PREFIX):
            _storage().delete(path)


def purge_expired(*, now=None) -> int:
    """Delete kept photos older than their tokens' lifetime (a citizen who never came back)."""
    from datetime import timedelta

    from django.utils import timezone

    storage = _storage()
    cutoff = (now or timezone.now()) - timedelta(seconds=MAX_AGE_SECONDS)
    try:
        _dirs, files = storage.listdir(PREFIX.rstrip("/"))
    except FileNotFoundError:
        return 0
    removed = 0
    for name in files:
        path = PREFIX + name
        if storage.get_modified_time(path) < cutoff:
            storage.delete(path)
            removed += 1
    return removed
