"""Benchmark the citizen-facing reads: nearby open reports (before submit) and the public map's points.

Run against PostgreSQL (own database, created and filled here):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ihanoi_bench7 .venv/bin/python benchmarks/citizen_reads.py [N]
Prints figures; asserts nothing.
"""
import os
import random
import statistics
import sys
import time
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
from feedback.lifecycle import CaseStatus  # noqa: E402
from feedback.models import Case  # noqa: E402
from feedback.selectors import nearby_open_cases  # noqa: E402


def fill(n: int) -> None:
    have = Case.objects.count()
    if have >= n:
        return
    rng = random.Random(7)
    topics = list(Topic.objects.all())
    agency = Agency.objects.first()
    wards = list(Ward.objects.filter(centroid_lat__isnull=False))
    statuses = [CaseStatus.RECEIVED, CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.CLOSED]
    now = timezone.now()
    batch = []  # bulk_create writes them batch_size at a time
    for i in range(have, n):
        w = rng.choice(wards)
        status = rng.choice(statuses)
        batch.append(Case(
            tracking_code=f"HN-BENCH-{i:07d}", topic=rng.choice(topics), description="benchmark case",
            latitude=w.centroid_lat + rng.uniform(-0.01, 0.01), longitude=w.centroid_lon + rng.uniform(-0.01, 0.01),
            ward=w, status=status, agency=None if status == CaseStatus.RECEIVED else agency, received_at=now, resolved_at=now if status != CaseStatus.RECEIVED else None,
        ))
    Case.objects.bulk_create(batch, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE feedback_case")


def timed(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    call_command("migrate", verbosity=0)
    load_hanoi()
    fill(n)
    rng = random.Random(1)
    topic = Topic.objects.get(code="waste")
    wards = list(Ward.objects.filter(centroid_lat__isnull=False))
    points = [(w.centroid_lat, w.centroid_lon) for w in rng.sample(wards, 50)]
    it = iter(points * 10)
    med, worst = timed(lambda: nearby_open_cases(topic=topic, lat=next(it)[0], lon=next(it)[1]), 200)
    print(f"cases: {Case.objects.count()}")
    print(f"nearby_open_cases: median {med:.2f} ms, max {worst:.2f} ms")
    client = Client(HTTP_HOST="127.0.0.1")
    med, worst = timed(lambda: client.get("/map/points.json", {"topic": "waste", "zoom": 11}), 10)
    print(f"/map/points.json?topic=waste&zoom=11 (the city, clusters; benchmarks/map_points.py per zoom): "
          f"median {med:.1f} ms, max {worst:.1f} ms")
    med, worst = timed(lambda: client.get("/map/", {"ward": wards[0].code}), 10)
    print(f"/map/?ward=… (list page): median {med:.1f} ms, max {worst:.1f} ms")


if __name__ == "__main__":
    main()
