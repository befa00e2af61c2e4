"""Photo intake: verify with Pillow, apply EXIF orientation, keep the original privately, publish a stripped copy."""
from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "MPO": "jpg"}
try:  # HEIC when pillow-heif is installed
    from pillow_heif import register_heif_opener  # type: ignore

    register_heif_opener()
    ALLOWED_FORMATS["HEIF"] = "heic"
except ImportError:  # pragma: no cover - optional
    pass

_MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "MPO": "image/jpeg",
               "HEIF": "image/heic"}


def accepted_mime_types() -> list[str]:
    """The types a browser gives the files accepted here: the report form checks a chosen file against them
    before uploading it (this module's check still decides)."""
    return sorted({_MIME_TYPES[f] for f in ALLOWED_FORMATS})


@dataclass
class ProcessedPhoto:
    original: ContentFile  # the bytes as uploaded (private)
    public: ContentFile  # re-encoded, oriented, no EXIF at all
    gps: tuple[float, float] | None  # (lat, lon) from EXIF, offered to the citizen, never published


def _gps_from_exif(img: Image.Image) -> tuple[float, float] | None:
    try:
        gps = img.getexif().get_ifd(0x8825)
        if not gps or 2 not in gps or 4 not in gps:
            return None

        def deg(v) -> float:
            d, m, s = (float(x) for x in v)
            return d + m / 60 + s / 3600

        lat, lon = deg(gps[2]), deg(gps[4])
        if gps.get(1) == "S":
            lat = -lat
        if gps.get(3) == "W":
            lon = -lon
        return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None
    except Exception:  # malformed EXIF is not the citizen's problem
        return None


def process_photo(upload) -> ProcessedPhoto:
    """Validate one uploaded file; raise ValidationError with a message for the citizen."""
    name = getattr(upload, "name", "photo")
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            _("%(name)s is too large (%(size).1f MB); the limit is %(limit)d MB.")
            % {"name": name, "size": upload.size / 1e6, "limit": settings.PHOTO_MAX_BYTES // 1_000_000}
        )
    data = upload.read()
    Image.MAX_IMAGE_PIXELS = settings.PHOTO_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                probe.verify()
            if fmt not in ALLOWED_FORMATS:
                raise ValidationError(_("%(name)s is not a JPEG, PNG or WebP photo.") % {"name": name})
            img = Image.open(io.BytesIO(data))
            img.load()  # decodes every byte: truncated files fail here
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("%(name)s has too many pixels to be a photo.") % {"name": name})
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("%(name)s is not a valid image or is damaged.") % {"name": name})
    gps = _gps_from_exif(img)
    oriented = ImageOps.exif_transpose(img)
    if oriented.mode not in ("RGB", "L"):
        oriented = oriented.convert("RGB")
    out = io.BytesIO()
    # no exif= argument: nothing is copied. Not optimize=True: its extra Huffman pass made the encode about 5×
    # slower (15.6 vs 2.6 ms for a 1024×768 photo) for a file only 7% smaller, inside the citizen's request.
    oriented.save(out, format="JPEG", quality=85)
    stem = uuid.uuid4().hex
    return ProcessedPhoto(
        original=ContentFile(data, name=f"{stem}.{ALLOWED_FORMATS[fmt]}"),
        public=ContentFile(out.getvalue(), name=f"{stem}.jpg"),
        gps=gps,
    )


def make_thumbnail(image_file, size: int = 320) -> ContentFile:
    with Image.open(image_file) as img:
        img.thumbnail((size, size))
        out = io.BytesIO()
        img.convert("RGB").save(out, format="JPEG", quality=80)
    return ContentFile(out.getvalue(), name="thumb.jpg")
