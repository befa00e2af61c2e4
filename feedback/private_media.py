"""How staff see a photo's original (EXIF and GPS kept): one interface for both storage backends.

The original lives in STORAGES["private"]. On S3-compatible storage (ihanoi/object_storage.py) the response is
a redirect to a presigned GET valid settings.PRIVATE_URL_TTL seconds, never cached; on the filesystem (the
default) Django streams the file itself. Either way only after the staff view has checked the user may see the
case (feedback/media_views.py): the original never has a public URL.
"""
from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseRedirect

from .storage import private_storage


def signed_url(name: str) -> str | None:
    """A short-lived signed URL of a private file, or None when the backend cannot sign (the filesystem)."""
    backend = private_storage.backend
    if not getattr(backend, "querystring_auth", False):
        return None
    return backend.url(name, expire=settings.PRIVATE_URL_TTL)


def original_response(photo) -> HttpResponse:
    url = signed_url(photo.original.name)
    if url is not None:
        response = HttpResponseRedirect(url)
    else:
        response = FileResponse(private_storage.open(photo.original.name, "rb"),
                                filename=photo.original.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
