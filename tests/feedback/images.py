"""Image files for upload tests, made with Pillow."""
from __future__ import annotations

import io
from fractions import Fraction

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825


def _dms(value: float) -> tuple:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = Fraction(round(((value - d) * 60 - m) * 60 * 1000), 1000)
    return (Fraction(d), Fraction(m), s)


def jpeg_bytes(*, size=(80, 60), color="red", gps: tuple[float, float] | None = None, orientation: int | None = None,
               fmt: str = "JPEG") -> bytes:
    img = Image.new("RGB", size, color)
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N" if gps[0] >= 0 else "S", 2: _dms(gps[0]), 3: "E" if gps[1] >= 0 else "W",
                         4: _dms(gps[1])}
    out = io.BytesIO()
    img.save(out, format=fmt, exif=exif.tobytes() if (gps or orientation) else b"")
    return out.getvalue()


def upload(name: str = "photo.jpg", data: bytes | None = None, content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, jpeg_bytes() if data is None else data, content_type=content_type)
