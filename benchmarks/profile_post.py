"""Where a report POST's time goes: cProfile of the Open311 POST, the REST POST and the web-form POST in process.

Each request goes through Django's whole handler (every middleware, the view, `submit_report`, the
transaction and its on_commit work, i.e. the Celery publish) — what one gunicorn worker does, without the
socket. Prints per POST: wall and CPU ms per request, queries per request (and the repeated statements), the
top functions by own time and the portal's own functions by cumulative time, and own time per package.

Runs with the production settings against the HTTP benchmark's database (benchmarks/http_load.py seeds it;
run that first) and Redis db 13 (flushed at the end: the queued tasks are not run):

    .venv/bin/python benchmarks/profile_post.py [--requests 40] [--top 15]

The CSRF check of the web form is skipped (the request is marked as a test client marks it); everything else
is as in production.
"""
from __future__ import annotations

import argparse
import cProfile
import collections
import json
import os
import pstats
import re
import secrets
import sys
import time
from io import BytesIO
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
for key, value in {
    "DJANGO_SETTINGS_MODULE": "ihanoi.settings.production", "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "testserver,127.0.0.1", "SITE_URL": "https://127.0.0.1:8000",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ihanoi_bench_http", "REDIS_URL": "redis://127.0.0.1:6379/13",
    "EMAIL_URL": "memorymail://", "VAR_DIR": str(ROOT / "var" / "bench-http"), "LOG_LEVEL": "WARNING",
    "API_ANON_REPORT_RATE": "100000/second", "WEB_REPORT_RATE": "100000/second",
}.items():
    os.environ.setdefault(key, value)

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from agencies.models import Topic  # noqa: E402
from benchmarks.helpers import jpeg  # noqa: E402
from feedback.api_clients import new_api_key, set_api_key  # noqa: E402
from feedback.models import ApiClient  # noqa: E402

HTTPS = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_HOST": "127.0.0.1"}
DESC = "Rác tồn đọng ba ngày ở đầu ngõ 12 Hàng Bài"
LAT, LON = 21.0288, 105.8525


def requests(api_key: str):
    """name → a function making a fresh WSGIRequest (uploads are consumed by each request)."""
    rf = RequestFactory()
    topic = Topic.objects.get(code="waste")
    photo = jpeg()

    def open311():
        return rf.generic("POST", "/api/georeport/v2/requests.json", urlencode({
            "api_key": api_key, "jurisdiction_id": "hanoi", "service_code": topic.code, "lat": LAT, "long": LON,
            "description": DESC, "email": "lan@example.com", "first_name": "Lan", "last_name": "Nguyễn"}),
            content_type="application/x-www-form-urlencoded", **HTTPS)

    def rest():
        return rf.post("/api/v1/reports/", json.dumps({"topic": topic.code, "description": DESC, "latitude": LAT,
                                                        "longitude": LON, "email": "lan@example.com"}),
                       content_type="application/json", **HTTPS)

    def web():
        f = BytesIO(photo)
        f.name = "street.jpg"
        req = rf.post("/report/", {"topic": topic.pk, "description": DESC, "latitude": LAT, "longitude": LON,
                                   "email": "lan@example.com", "photos": f}, **HTTPS)
        req._dont_enforce_csrf_checks = True
        return req

    return {"Open311 POST requests.json": (open311, 201), "REST POST /api/v1/reports/": (rest, 201),
            "web form POST /report/ (1 JPEG, 78 KB)": (web, 302)}


def where(key) -> str:
    file, line, func = key
    for prefix, label in ((str(ROOT / ".venv" / "lib"), ""), (str(ROOT) + "/", "")):
        if file.startswith(prefix):
            file = file[len(prefix):]
    file = re.sub(r"^python3\.\d+/site-packages/", "", file)
    return f"{file}:{line}:{func}" if file != "~" else func


def package(file: str) -> str:
    if "/site-packages/" in file:
        return file.split("/site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if file.startswith(str(ROOT)) and "/.venv/" not in file:
        return "project: " + file[len(str(ROOT)) + 1:].split("/", 1)[0]
    if file == "~":
        return "builtins (C: I/O, sockets, hashing, …)"
    return "stdlib"


def profile(name: str, make, expect: int, handler, n: int, top: int) -> None:
    for _ in range(5):  # warm: ward index, routing caches, templates, translations
        resp = handler.get_response(make())
        assert resp.status_code == expect, (name, resp.status_code, resp.content[:500])
    with CaptureQueriesContext(connection) as ctx:
        handler.get_response(make())
    queries = [q["sql"] for q in ctx.captured_queries]
    shapes = collections.Counter(re.sub(r"'[^']*'|\b\d+\b", "?", q)[:110] for q in queries)

    prof = cProfile.Profile()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(n):
        req = make()
        prof.enable()
        resp = handler.get_response(req)
        prof.disable()
        assert resp.status_code == expect
    wall, cpu = (time.perf_counter() - wall0) / n * 1000, (time.process_time() - cpu0) / n * 1000
    stats = pstats.Stats(prof)
    total = sum(v[2] for v in stats.stats.values())
    print(f"\n### {name}: {wall:.1f} ms wall, {cpu:.1f} ms CPU per request (profiled, {n} requests; "
          f"profiler overhead included), {len(queries)} queries per request")
    print("\nqueries (statement shape × times):")
    for shape, times in shapes.most_common():
        print(f"  {times} × {shape}")
    print("\nown time by package:")
    by_pkg = collections.Counter()
    for (file, _l, _f), v in stats.stats.items():
        by_pkg[package(file)] += v[2]
    for pkg, t in by_pkg.most_common(10):
        print(f"  {t / n * 1000:6.2f} ms  {t / total:5.1%}  {pkg}")
    print(f"\ntop {top} functions by own time (ms per request, share of profiled time):")
    for key, v in sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:top]:
        print(f"  {v[2] / n * 1000:6.2f} ms  {v[2] / total:5.1%}  {v[1] / n:6.0f} calls  {where(key)}")
    print(f"\ntop {top} of the portal's own functions by cumulative time:")
    own = [(k, v) for k, v in stats.stats.items() if k[0].startswith(str(ROOT)) and "/.venv/" not in k[0]]
    for key, v in sorted(own, key=lambda kv: -kv[1][3])[:top]:
        print(f"  {v[3] / n * 1000:6.2f} ms  {v[3] / total:5.1%}  {where(key)}")
    print(f"\ntop {top} library functions by cumulative time (below the view):")
    lib = [(k, v) for k, v in stats.stats.items() if "/site-packages/" in k[0]
           and not re.search(r"django/(core/handlers|utils/deprecation|views/decorators|views/generic)|"
                             r"rest_framework/views\.py|contextlib", k[0])]
    for key, v in sorted(lib, key=lambda kv: -kv[1][3])[:top]:
        print(f"  {v[3] / n * 1000:6.2f} ms  {v[3] / total:5.1%}  {where(key)}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=40)
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--only", help="regular expression on the POST's name")
    args = p.parse_args()
    ApiClient.objects.filter(name="bench-profile").delete()
    key = new_api_key()
    set_api_key(client=ApiClient(name="bench-profile"), api_key=key)
    handler = WSGIHandler()
    try:
        for name, (make, expect) in requests(key).items():
            if args.only and not re.search(args.only, name):
                continue
            profile(name, make, expect, handler, args.requests, args.top)
    finally:
        import redis

        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()


if __name__ == "__main__":
    main()
