"""Benchmark of the deadline sweeps on 1,000,000 open cases in PostgreSQL.

    python -m benchmarks.sweep [--cases 1000000] [--new-overdue 2000] [--reseed]

Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ihanoi_bench9): creates the database if
missing, migrates it, loads the Hanoi data, seeds the cases with COPY (once; --reseed to start over), then
runs each sweep twice and prints its time and query count. The second run must find ~nothing to do.

Seeded: every case open (assigned or in progress) across all agencies and topics; most due in 4–30 days;
`--new-overdue` just fell due (to flag), as many again past their accept time (assigned), 1,000 due within
the next working day (to remind), 5% long overdue and already flagged, escalated and notified. Every agency
gets a contact email, an officer and a manager, so the sweeps write their notifications too.
"""
from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from datetime import timedelta

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ihanoi_bench9"
COPY_COLUMNS = (
    "tracking_code", "description", "address", "status", "outcome", "urgency", "channel", "routing_reason",
    "received_at", "assigned_at", "accept_due_at", "accepted_at", "due_at", "is_overdue", "overdue_at",
    "is_accept_overdue", "is_escalated", "escalated_at", "manager_notified_at", "reporter_name",
    "reporter_phone", "reporter_email", "rating_comment", "reopen_count", "transfer_count", "support_count",
    "version", "created_at", "updated_at", "agency_id", "topic_id",
)
TAG_OVERDUE, TAG_ACCEPT, TAG_REMIND = "bench-new-overdue", "bench-new-accept", "bench-new-remind"


def _setup(url: str) -> None:
    import environ
    import psycopg2

    cfg = environ.Env.db_url_config(url)
    admin = psycopg2.connect(dbname="postgres", user=cfg["USER"], password=cfg["PASSWORD"] or None,
                             host=cfg["HOST"], port=cfg["PORT"] or 5432)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    admin.close()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ihanoi.settings.development")
    os.environ["CELERY_BROKER_URL"] = "memory://"  # publishing after commit costs nothing here
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def _seed(n: int, new_overdue: int, now) -> None:
    from django.db import connection

    from agencies.models import Agency, Topic

    agencies = list(Agency.objects.values_list("pk", flat=True))
    topics = list(Topic.objects.values_list("pk", flat=True))
    rnd = random.Random(9)
    with connection.cursor() as cur:
        cur.execute("TRUNCATE feedback_caseevent, feedback_outboxmessage, feedback_case RESTART IDENTITY CASCADE")
    fmt = "%Y-%m-%d %H:%M:%S+00"
    t0 = time.perf_counter()
    chunk = 100_000
    for start in range(0, n, chunk):
        buf = io.StringIO()
        for i in range(start, min(n, start + chunk)):
            received = now - timedelta(minutes=rnd.randint(10, 60 * 24 * 20))
            status, accepted = ("assigned", r"\N") if i % 5 < 2 else ("in_progress", received.strftime(fmt))
            accept_due = now + timedelta(hours=rnd.randint(1, 48))
            due = now + timedelta(days=rnd.uniform(4, 30))
            overdue = escalated = accept_overdue = False
            channel = "web"
            if i < new_overdue:
                due, channel = now - timedelta(seconds=rnd.randint(1, 290)), TAG_OVERDUE
            elif i < 2 * new_overdue:
                status, accepted, channel = "assigned", r"\N", TAG_ACCEPT
                accept_due = now - timedelta(seconds=rnd.randint(1, 290))
            elif i < 2 * new_overdue + 1000:
                due, channel = now + timedelta(minutes=rnd.randint(5, 180)), TAG_REMIND
            elif i % 20 == 0:  # long overdue, already flagged, escalated, managers told
                due = now - timedelta(days=rnd.uniform(4, 15))
                overdue = escalated = True
                accept_overdue = status == "assigned" and accept_due < now
            flagged = due.strftime(fmt) if overdue else r"\N"
            row = (
                f"B{i:010d}", "bench", "", status, "", "normal", channel, "", received.strftime(fmt),
                received.strftime(fmt), accept_due.strftime(fmt), accepted, due.strftime(fmt),
                "t" if overdue else "f", flagged, "t" if accept_overdue else "f", "t" if escalated else "f",
                flagged, flagged, "", "", "", "", "0", "0", "0", "1", received.strftime(fmt),
                received.strftime(fmt), str(agencies[i % len(agencies)]), str(topics[i % len(topics)]),
            )
            buf.write("\t".join(row) + "\n")
        buf.seek(0)
        with connection.cursor() as cur:
            cur.copy_expert(f"COPY feedback_case ({', '.join(COPY_COLUMNS)}) FROM STDIN", buf)
        print(f"  seeded {min(n, start + chunk):>9,} cases ({time.perf_counter() - t0:.0f} s)", flush=True)
    with connection.cursor() as cur:
        cur.execute("ANALYZE feedback_case")


def _staff() -> None:
    """Every agency gets a contact email, an officer and a manager (idempotent), so sweeps send mail."""
    from django.contrib.auth import get_user_model
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    from agencies.models import Agency, StaffMembership, StaffRole

    Agency.objects.filter(email="").update(email=Concat(F("code"), Value("@bench.example")))
    User = get_user_model()
    agencies = list(Agency.objects.values_list("pk", flat=True))
    roles = (StaffRole.OFFICER, StaffRole.MANAGER)
    User.objects.bulk_create(
        [User(username=f"bench-{r}-{a}", email=f"{r}-{a}@bench.example") for a in agencies for r in roles],
        ignore_conflicts=True,
    )
    users = dict(User.objects.filter(username__startswith="bench-").values_list("username", "pk"))
    StaffMembership.objects.bulk_create(
        [StaffMembership(user_id=users[f"bench-{r}-{a}"], agency_id=a, role=r) for a in agencies for r in roles],
        ignore_conflicts=True,
    )


def _reset_run(now, due: int) -> None:
    """Put the rows a run acts on back as seeded, so every run does the same work: `due` of the tagged rows
    just fell due (resolve clock) and as many passed their accept time; the other tagged rows stay flagged."""
    from django.db import connection

    first = "(SELECT min(id) FROM feedback_case WHERE channel = %s)"
    with connection.cursor() as cur:
        cur.execute("DELETE FROM feedback_caseevent")
        cur.execute("DELETE FROM feedback_outboxmessage")
        for tag, flag, clock, flagged_at in ((TAG_OVERDUE, "is_overdue", "due_at", ", overdue_at = %s"),
                                             (TAG_ACCEPT, "is_accept_overdue", "accept_due_at", "")):
            cur.execute(
                f"UPDATE feedback_case SET {flag} = (id >= {first} + %s), "
                f"manager_notified_at = CASE WHEN id >= {first} + %s THEN %s::timestamptz END{flagged_at}, "
                f"{clock} = %s - (1 + id %% 290) * interval '1 second' WHERE channel = %s",
                [tag, due, tag, due, now, *([now] if flagged_at else []), now, tag],
            )
        cur.execute("UPDATE feedback_case SET reminded_at = NULL, due_at = %s + interval '1 hour' WHERE channel = %s",
                    [now, TAG_REMIND])
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE feedback_case")


def _timed(label: str, fn, now) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        result = fn(now=now)
        elapsed = time.perf_counter() - t0
    print(f"{label:<22} {elapsed:7.3f} s  {len(ctx):4d} queries  {result}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--new-overdue", type=int, default=2000)
    parser.add_argument("--due", type=int, default=None,
                        help="how many of the --new-overdue rows fall due in this run (default: all)")
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args(argv)
    _setup(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from agencies.seed import load_hanoi
    from feedback.services import sweeps
    from feedback.models import Case

    call_command("migrate", verbosity=0)
    load_hanoi()
    now = timezone.now()
    count = Case.objects.count()
    if args.reseed or count != args.cases:
        print(f"seeding {args.cases:,} open cases with COPY …", flush=True)
        _seed(args.cases, args.new_overdue, now)
    print(f"{Case.objects.count():,} cases in {connection.settings_dict['NAME']}; {Case.objects.open().count():,} open")
    _staff()
    due = min(args.due if args.due is not None else args.new_overdue, args.new_overdue)
    print(f"this run: {due:,} cases just fell due and {due:,} passed their accept time")
    _reset_run(now, due)
    for label, fn in (("flag_overdue", sweeps.flag_overdue), ("send_due_soon_reminders", sweeps.send_due_soon_reminders),
                      ("escalate", sweeps.escalate)):
        _timed(f"{label} (1st)", fn, now)
        _timed(f"{label} (2nd)", fn, now + timedelta(seconds=1))
    _timed("send_daily_digests", sweeps.send_daily_digests, now)
    return 0


if __name__ == "__main__":
    sys.exit(main())
