"""The public map at city scale: /map/points.json over N cases (default 120,000), per zoom — response size, mode
(clusters or points), what it holds, queries, and the time cold (a case write just replaced the cache's version)
and warm (from Redis), plus a conditional GET (304). Prints figures; asserts nothing.

The cases are bulk-written around the wards' centroids (Gaussian, σ ≈ 700 m; urban wards four times as busy as
communes), over 120 days, in four statuses — the shape, not the history, of a city's reports. Run it on your own
PostgreSQL database and Redis db (created/filled here; the cases are kept for the next run):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ihanoi_bench_h3 REDIS_URL=redis://127.0.0.1:6379/23 \\
        .venv/bin/python benchmarks/map_points.py [--cases 120000] [--repeat 20]
"""
from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ihanoi.settings.development")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from agencies.models import Agency, Topic, Ward  # noqa: E402
from agencies.seed import load_hanoi  # noqa: E402
from dashboard.cache import bump_version  # noqa: E402
from feedback.lifecycle import CaseStatus  # noqa: E402
from feedback.models import Case  # noqa: E402
from feedback.selectors.public_map import HANOI_BBOX  # noqa: E402

HK = (21.0288, 105.8525)  # Hoàn Kiếm lake: the street-level views
VIEWPORT = (1280, 800)  # px: a laptop's map


def fill(n: int) -> int:
    have = Case.objects.count()
    if have >= n:
        return have
    rng = random.Random(16)
    topics = list(Topic.objects.filter(is_active=True))
    agency = Agency.objects.first()
    wards = list(Ward.objects.filter(centroid_lat__isnull=False))
    weights = [4 if w.full_name.startswith("Phường") else 1 for w in wards]
    statuses = [CaseStatus.RECEIVED, CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.CLOSED]
    now = timezone.now()
    batch = []  # bulk_create writes them batch_size at a time
    for i in range(have, n):
        w = rng.choices(wards, weights)[0]
        status = rng.choice(statuses)
        received = now - timedelta(days=rng.uniform(0, 120))
        batch.append(Case(
            tracking_code=f"HN-MAP-{i:07d}", topic=rng.choice(topics), description="benchmark case",
            latitude=w.centroid_lat + rng.gauss(0, 0.0065), longitude=w.centroid_lon + rng.gauss(0, 0.0065),
            ward=w, status=status, agency=None if status == CaseStatus.RECEIVED else agency, received_at=received,
            resolved_at=received if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) else None))
    Case.objects.bulk_create(batch, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE feedback_case")  # as autovacuum would: index-only scans need it
    return Case.objects.count()


def viewport(zoom: int, center=HK) -> str:
    """The box a VIEWPORT-sized Leaflet map shows at `zoom` around `center` (Web Mercator)."""
    lat, lon = center
    width = VIEWPORT[0] * 360 / (256 * 2 ** zoom)
    height = VIEWPORT[1] * 360 / (256 * 2 ** zoom) * math.cos(math.radians(lat))
    return f"{lon - width / 2:.5f},{lat - height / 2:.5f},{lon + width / 2:.5f},{lat + height / 2:.5f}"


def ms(fn, repeat: int = 1) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=120_000)
    p.add_argument("--repeat", type=int, default=20, help="warm requests per view (median)")
    a = p.parse_args()
    call_command("migrate", verbosity=0)
    if not Ward.objects.exists():
        load_hanoi()
    t = time.perf_counter()
    total = fill(a.cases)
    print(f"{total:,} cases on {connection.vendor} ({connection.settings_dict['NAME']}), filled/checked in "
          f"{time.perf_counter() - t:.1f} s; viewport {VIEWPORT[0]}×{VIEWPORT[1]} px")
    client = Client(HTTP_HOST="127.0.0.1")
    city = ",".join(map(str, HANOI_BBOX))
    views = [("whole city", city, z) for z in (9, 10, 11, 12)]
    views += [(f"viewport z{z} @HK", viewport(z), z) for z in range(11, 20)]
    views += [("city box at z18 (widened cells)", city, 18), ("city, topic=waste", city + "&topic=waste", 11)]
    print()
    print("| view | zoom | mode | total | clusters/points | bytes | queries | cold ms | warm ms | 304 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    biggest = 0
    for name, bbox, zoom in views:
        url = f"/map/points.json?bbox={bbox}&zoom={zoom}"
        bump_version()  # as a case write does: the next read computes
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
            cold, response = ms(lambda: client.get(url))
        data = response.json()
        warm, _ = ms(lambda: client.get(url), a.repeat)
        etag = response["ETag"]
        not_modified, r304 = ms(lambda: client.get(url, HTTP_IF_NONE_MATCH=etag), a.repeat)
        assert r304.status_code == 304  # the benchmark's own sanity, not a timing
        mode = "clusters" if data["clusters"] else "points"
        shown = len(data["clusters"]) or len(data["points"])
        biggest = max(biggest, len(response.content))
        print(f"| {name} | {zoom} | {mode}{' (truncated)' if data['truncated'] else ''} | {data['total']:,} | "
              f"{shown} | {len(response.content):,} | {len(queries)} | {cold:.1f} | {warm:.2f} | "
              f"{not_modified:.2f} |")
    print()
    print(f"largest response: {biggest:,} bytes. cold = first read after a version bump (the database: 1 query "
          "for clusters, 2 for points); warm = from Redis (median of "
          f"{a.repeat}); 304 = If-None-Match with the ETag. In-process Django test client, no HTTP server: "
          "benchmarks/http_load.py gives the req/s over HTTP.")


if __name__ == "__main__":
    main()
