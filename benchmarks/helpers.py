"""What the scripts that drive the portal over real HTTP share (benchmarks/http_load.py, benchmarks/profile_post.py,
benchmarks/fault_redis_outage.py, .ci/prod_smoke.py): a free port, a multipart body, a camera-like JPEG.
Standard library and Pillow only: .ci/prod_smoke.py runs it from the venv that requirements.txt alone builds."""
from __future__ import annotations

import secrets
import socket
from io import BytesIO


def free_port(preferred: int | None = None) -> int:
    """A port nothing listens on at 127.0.0.1: `preferred` when it is free, else one the kernel picks."""
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError("no free port")


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser sends a form: (body, Content-Type). `files`: name → (file name,
    bytes, content type)."""
    boundary = "----ihanoi" + secrets.token_hex(8)
    out = BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data, ctype) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                  f"Content-Type: {ctype}\r\n\r\n".encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def jpeg(width: int = 1024, height: int = 768) -> bytes:
    """A JPEG that compresses like a photo (noise and gradients, not a flat colour): 1024×768 ≈ 78 KB."""
    from PIL import Image, ImageFilter

    img = Image.effect_noise((width // 4, height // 4), 60).filter(ImageFilter.GaussianBlur(1)).resize((width, height))
    rgb = Image.merge("RGB", (img, Image.linear_gradient("L").resize((width, height)), img.transpose(0)))
    buf = BytesIO()
    rgb.save(buf, "JPEG", quality=85)
    return buf.getvalue()
