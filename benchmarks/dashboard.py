"""Benchmark: the dashboard and the public board at city scale.

    python -m benchmarks.dashboard [--cases 1000000] [--reseed] [--runs 3] [--database-url URL]
                                   [--empty-database-url URL]

Seeds (once) BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ihanoi_bench5) with N cases over
the last two years across Hanoi's 126 wards and ~150 agencies (COPY via psycopg2), then prints the server time
of /dashboard/ and /board/ (Django test client, a city leader logged in), with a cold and a warm cache.
Last, on an empty database (--empty-database-url, default the same URL + "_empty"; its cases are deleted), the
first /dashboard/ of a new worker process, with the start-up warm-up (ihanoi/warmup.py, as ihanoi/wsgi.py runs
it) and without. The cache (REDIS_URL, or the process's memory) is cleared before each cold read.
"""
from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ihanoi_bench5"


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ihanoi.settings.development")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    _create_database(url)
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def _create_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    base, name = url.rsplit("/", 1)
    conn = psycopg2.connect(base + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()


def _prepare() -> None:
    from django.core.management import call_command

    from agencies.demo import create_demo_accounts
    from agencies.models import Agency, AgencyKind
    from agencies.seed import load_hanoi

    call_command("migrate", verbosity=0)
    load_hanoi()
    create_demo_accounts()
    for i in range(1, 11):  # the city's 140 bodies plus ten more departments/units: ~150 agencies
        Agency.objects.get_or_create(code=f"bench-unit-{i:02d}", defaults={
            "name": f"Đơn vị thử nghiệm {i:02d}", "short_name": f"Đơn vị {i:02d}", "kind": AgencyKind.CITY_DEPARTMENT})


COLUMNS = ("tracking_code", "topic_id", "description", "latitude", "longitude", "address", "ward_id", "agency_id",
           "status", "outcome", "urgency", "channel", "routing_reason", "received_at", "assigned_at",
           "accept_due_at", "accepted_at", "due_at", "resolved_at", "closed_at", "resolve_working_hours",
           "is_overdue", "is_accept_overdue", "is_escalated", "reporter_name", "reporter_phone", "reporter_email",
           "rating", "rating_comment", "reopen_count", "transfer_count", "support_count", "version", "created_at",
           "updated_at")


def _rows(n: int, now: datetime, rng: random.Random):
    """Yield CSV lines of plausible cases: receipt times spread over two years, most handled, some late."""
    from agencies.models import Agency, Topic, Ward

    wards = list(Ward.objects.values_list("pk", "centroid_lat", "centroid_lon"))
    committees = dict(Agency.objects.filter(ward__isnull=False).values_list("ward_id", "pk"))
    others = list(Agency.objects.filter(ward__isnull=True).values_list("pk", flat=True))
    topics = list(Topic.objects.values_list("pk", flat=True))
    span = 730 * 86400
    fmt = "%Y-%m-%d %H:%M:%S+00"
    # Cases arrive in time order (as in production, where rows are appended): oldest first.
    ages = sorted((rng.random() ** 0.9 * span for _ in range(n)), reverse=True)
    for i, age_s in enumerate(ages):
        received = now - timedelta(seconds=age_s)
        ward, lat, lon = wards[rng.randrange(len(wards))]
        agency = committees[ward] if rng.random() < 0.6 else others[rng.randrange(len(others))]
        accept_due = received + timedelta(hours=rng.choice((8, 20, 24, 60)))
        due = received + timedelta(days=rng.choice((1, 2, 3, 4, 5, 7, 14)))
        age = (now - received).days
        r = rng.random()
        if age > 20 and r < 0.93 or age <= 20 and r < 0.55:
            took = timedelta(hours=rng.expovariate(1 / 60))
            resolved = min(received + took, now)
            o = rng.random()
            status, outcome = (("resolved", "fixed") if o < 0.62 else ("resolved", "scheduled") if o < 0.72
                               else ("rejected", "duplicate") if o < 0.82 else ("closed", "fixed"))
            hours = "" if status == "rejected" else f"{took.total_seconds() / 3600 * 8 / 24:.2f}"
            rating = str(rng.choice((1, 2, 3, 4, 4, 5, 5, 5))) if rng.random() < 0.4 else ""
            resolved_s = resolved.strftime(fmt)
        else:
            status, outcome, hours, rating, resolved_s = rng.choice(("assigned", "in_progress", "in_progress",
                                                                     "reopened")), "", "", "", ""
        accepted = received + timedelta(hours=rng.expovariate(1 / 10))
        accepted_s = accepted.strftime(fmt) if accepted < now and status != "assigned" else ""
        overdue = "t" if status in ("assigned", "in_progress", "reopened") and due < now else "f"
        rs = received.strftime(fmt)
        n_ = _null
        yield "\t".join((
            f"B{i:07d}", str(topics[i % len(topics)]), "Phản ánh thử nghiệm", f"{lat:.6f}", f"{lon:.6f}", "",
            str(ward), str(agency), status, outcome, "normal", "web", "bench", rs, rs, accept_due.strftime(fmt),
            n_(accepted_s), due.strftime(fmt), n_(resolved_s), n_(""), n_(hours), overdue, "f", "f", "", "", "",
            n_(rating), "", "1" if status == "reopened" else "0", "1" if rng.random() < 0.05 else "0", "0", "1",
            rs, rs,
        )) + "\n"


def _null(value: str) -> str:
    return value or "\\N"


def seed(n: int, *, chunk: int = 100_000) -> None:
    from django.db import connection
    from django.utils import timezone

    rng = random.Random(20251201)
    now = timezone.now()
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE feedback_case RESTART IDENTITY CASCADE")
    raw = connection.connection
    rows = _rows(n, now, rng)
    done = 0
    while done < n:
        buf = io.StringIO()
        for _ in range(min(chunk, n - done)):
            buf.write(next(rows))
        buf.seek(0)
        with raw.cursor() as cur:
            cur.copy_expert(f"COPY feedback_case ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT text, NULL '\\N')",
                            buf)
        raw.commit()
        done += min(chunk, n - done)
        print(f"  seeded {done:,} cases ({time.perf_counter() - t:.0f} s)", flush=True)
    old = raw.autocommit
    raw.autocommit = True
    with raw.cursor() as cur:
        cur.execute("VACUUM ANALYZE feedback_case")
    raw.autocommit = old
    _rebuild_tally()


def _rebuild_tally() -> None:
    """COPY sends no signal: the daily tally is rebuilt from the cases (what `manage.py rebuild_tally` does)."""
    from django.db import connection

    from dashboard import tally

    t = time.perf_counter()
    rows = tally.rebuild()
    print(f"  tally rebuilt: {rows:,} rows in {time.perf_counter() - t:.1f} s", flush=True)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE feedback_casetally")


def _time(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def measure(runs: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client

    from dashboard import figures as stats

    leader = get_user_model().objects.get(username="leader")
    client = Client()
    client.force_login(leader)

    def get(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response
        return call

    two_years = stats.Period.last_days(730)
    pages = [
        ("dashboard (last 30 days, 12-month trend)", get("/dashboard/")),
        ("public board (last 30 days)", get("/board/")),
        ("board ward map GeoJSON", get("/board/wards.geojson")),
        (f"dashboard, whole two years ({two_years.start}–{two_years.end})",
         get(f"/dashboard/?from={two_years.start}&to={two_years.end}")),
        ("dashboard filtered to one topic (waste), 30 days", get("/dashboard/?topic=waste")),
        ("dashboard filtered to one topic, two years", get(f"/dashboard/?topic=waste&from={two_years.start}")),
    ]
    from feedback.models import Case

    recent = Case.objects.order_by("-received_at").first()

    resolved = Case.objects.filter(status="resolved").order_by("-received_at").first()

    def after_writing(case, call) -> list[float]:
        """post_save bumps the version and marks the case's day stale, which the next read recomputes; a
        resolved case also changes the medians' token, so they are sorted again."""
        out = []
        for _ in range(runs):
            case.save(update_fields=["updated_at"])
            out += _time(call, 1)
        return out

    get("/dashboard/")()  # warm the connection, templates and ward shapes
    print("cold = empty cache; after a save = a recent (open) case was just written, as by a new report, an")
    print("acceptance or a transfer; after a resolution = a resolved case was just written (the medians are")
    print("sorted again); warm = nothing changed since the last request")
    print(f"\n{'page':<52} {'cold (ms)':>22} {'after a save (ms)':>22} {'after a resolution':>22} "
          f"{'warm (ms)':>22}")
    for label, call in pages:
        cold = []
        for _ in range(runs):
            cache.clear()
            cold += _time(call, 1)
        call()
        saved = after_writing(recent, call)
        answered = after_writing(resolved, call)
        warm = _time(call, runs)
        print(f"{label:<52} {_fmt(cold):>22} {_fmt(saved):>22} {_fmt(answered):>22} {_fmt(warm):>22}")
    _breakdown(runs)


def _breakdown(runs: int) -> None:
    """What one uncached city dashboard costs, piece by piece, and what a case write adds."""
    from django.utils import timezone

    from dashboard import figures as stats, metrics, tally
    from dashboard.grouping import by_sets
    from feedback.models import Case

    cases = stats.sliced_cases(None, stats.CITY)
    period = stats.Period.last_days(30)
    now = timezone.now()

    def med(fn) -> str:
        return f"{statistics.median(_time(fn, runs)):8.1f} ms"

    recent = Case.objects.order_by("-received_at").first()

    def a_day_recomputed():
        tally.mark_stale(recent.received_at)
        tally.refresh_stale()

    in_period = stats._in_period(cases, period, stats.Scope())
    scope, received = stats.Scope(), stats._received(period)
    parts = {
        "breakdown of an uncached city dashboard (median of runs):": [
            ("tally: 30 days by agency/ward/topic", lambda: tally.by_sets(period.start, period.end)),
            ("tally: 12 months of the trend", lambda: tally.by_month(period.trend().start, period.end)),
            ("open cases not yet due (live)", lambda: by_sets(stats._open_not_yet_due(cases, scope, now),
                                                             metrics.not_yet_due_aggregates(now, received))),
            ("all-time open counts (overdue now)", tally.open_by_sets),
            ("medians (resolved cases' index)",
             lambda: stats._medians(in_period.filter(metrics.base_conditions()["timed"]))),
            ("recompute one stale day (per write)", a_day_recomputed),
        ],
        "straight from the cases (no tally), for comparison:": [
            ("open cases past due, grouped", lambda: by_sets(stats._open_on_the_clock(cases, scope, now),
                                                            metrics.clock_aggregates(now, received))),
            ("totals, 30 days", lambda: stats.totals(cases=cases, period=period)),
            ("12-month trend", lambda: stats.table(cases=cases, group="month", period=period.trend())),
        ],
    }
    for title, rows in parts.items():
        print(("\n" if title.startswith("breakdown") else "") + title)
        for label, fn in rows:
            print(f"  {label:<37}{med(fn)}")


def first_load(url: str, runs: int) -> None:
    """A new worker's first /dashboard/ on an empty database, each in a fresh process (the database prepared in
    another one: `migrate` imports the URLconf, which would warm the measured process)."""
    import json
    import subprocess

    def child(*args: str) -> str:
        return subprocess.run([sys.executable, "-m", "benchmarks.dashboard", *args], check=True,
                              capture_output=True, text=True).stdout

    child("--empty-prepare", url)
    print(f"\nempty database ({url.rsplit('/', 1)[1]}): a new worker's first /dashboard/ (cold cache)")
    for warm in (True, False):
        found = [json.loads(child("--empty-measure", url, *(() if warm else ("--no-warm-up",))).splitlines()[-1])
                 for _ in range(runs)]
        label = "with the start-up warm-up" if warm else "without it (Django's default)"
        first, second = [f["first"] for f in found], [f["second"] for f in found]
        extra = f", warm-up at start {_fmt([f['warm_up'] for f in found])}" if warm else ""
        print(f"  {label:<32} first {_fmt(first)}, second {_fmt(second)}{extra}")


def _empty_prepare(url: str) -> None:
    _setup(url)
    _prepare()
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE feedback_case, feedback_casetally, feedback_opentally, feedback_staletallyday CASCADE")


def _empty_measure(url: str, warm_up: bool) -> None:
    import json

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ihanoi.settings.development")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    t = time.perf_counter()
    if warm_up:
        import ihanoi.wsgi  # noqa: F401 - what a gunicorn worker imports before serving
    else:
        import django

        django.setup()
    started = (time.perf_counter() - t) * 1000
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(get_user_model().objects.get(username="leader"))
    out = {"warm_up": started}
    for name in ("first", "second"):
        cache.clear()
        t = time.perf_counter()
        assert client.get("/dashboard/").status_code == 200
        out[name] = (time.perf_counter() - t) * 1000
    print(json.dumps(out))


def _fmt(values: list[float]) -> str:
    return f"median {statistics.median(values):.0f} (min {min(values):.0f})"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--reseed", action="store_true", help="truncate and seed again")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--empty-database-url", help="the empty database of the first-load figure (its cases are "
                        "deleted); default: --database-url + '_empty'")
    parser.add_argument("--empty-prepare", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--empty-measure", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--no-warm-up", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.empty_prepare:
        _empty_prepare(args.empty_prepare)
        return 0
    if args.empty_measure:
        _empty_measure(args.empty_measure, warm_up=not args.no_warm_up)
        return 0
    _setup(args.database_url)
    _prepare()
    from feedback.models import Case

    have = Case.objects.count()
    if args.reseed or abs(have - args.cases) > args.cases // 100:
        print(f"seeding {args.cases:,} cases into {args.database_url} (had {have:,})")
        seed(args.cases)
    from dashboard.models import CaseTally, StaleTallyDay

    if StaleTallyDay.objects.exists() or not CaseTally.objects.exists():  # e.g. just migrated
        _rebuild_tally()
    print(f"{Case.objects.count():,} cases, {Case.objects.values('agency').distinct().count()} agencies, "
          f"{Case.objects.values('ward').distinct().count()} wards, {CaseTally.objects.count():,} tally rows")
    measure(args.runs)
    first_load(args.empty_database_url or args.database_url + "_empty", args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
