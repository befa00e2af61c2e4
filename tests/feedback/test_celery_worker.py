"""Celery for real: a broker that refuses connections loses nothing; a real worker + beat flags and mails."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from feedback.models import Case, OutboxMessage, OutboxStatus
from feedback.tasks import drain_outbox
from ihanoi.celery_app import app
from tests.conftest import require_service
from tests.factories import make_report, make_staff

REFUSING_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once
WORKER_WAIT_SECONDS = 60


@pytest.fixture
def broker_down():
    saved = app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = REFUSING_BROKER
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.broker_url = saved
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.task_always_eager = True


@pytest.mark.django_db
class BrokerOutageTests:
    def test_report_gets_its_due_time_at_once_and_its_emails_after_the_outage(
        self, broker_down, django_capture_on_commit_callbacks, caplog
    ):
        with django_capture_on_commit_callbacks(execute=True):
            case = make_report(email="lan@example.com")
        case.refresh_from_db()
        assert case.due_at is not None and case.accept_due_at is not None
        assert "broker unavailable" in caplog.text
        pending = OutboxMessage.objects.filter(case=case, status=OutboxStatus.PENDING)
        assert pending.count() == 1 and mail.outbox == []  # one email: received, and where it went

        app.conf.broker_url = settings.CELERY_BROKER_URL  # the broker is back; beat runs the drain
        assert drain_outbox.apply().get() == 1
        assert [m.to[0] for m in mail.outbox] == ["lan@example.com"]
        assert not OutboxMessage.objects.filter(status=OutboxStatus.PENDING).exists()
        assert drain_outbox.apply().get() == 0

    def test_sweep_notifications_wait_in_the_outbox_too(self, broker_down, django_capture_on_commit_callbacks):
        from feedback.services.sweeps import flag_overdue

        make_staff("hk_off")
        case = make_report(email="")
        with django_capture_on_commit_callbacks(execute=True):
            result = flag_overdue(now=case.due_at + timedelta(minutes=1))
        assert result == {"overdue": 1, "accept_overdue": 1, "messages": 2}
        assert OutboxMessage.objects.get(dedupe_key__startswith="overdue:").status == OutboxStatus.PENDING
        assert drain_outbox.apply().get() == 2
        assert [m.to for m in mail.outbox] == [["hk_off@example.com"], ["hk_off@example.com"]]


def _redis_up() -> bool:
    if not settings.REDIS_URL:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextlib.contextmanager
def real_worker(tmp_path, *, sweep_interval: int = 2):
    """A Celery worker with beat (solo pool) on this test's PostgreSQL database and Redis, on queues of its own
    (stale tasks of other runs never reach it: it takes its settings' default queue and the routed ones —
    notifications, sweeps, images — all prefixed with this name); yields (process, mail dir, log path)."""
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    require_service(_redis_up(), "Redis (REDIS_URL)")
    mail_dir = tmp_path / "mail"
    queue = f"ihanoi-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ihanoi.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "IHANOI_SWEEP_INTERVAL": str(sweep_interval),
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "VAR_DIR": str(tmp_path / "var"),
    }
    celery = Path(sys.executable).parent / "celery"
    log_path = tmp_path / "worker.log"
    log = log_path.open("w")
    worker = subprocess.Popen(
        [str(celery), "-A", "ihanoi", "worker", "--beat", "--pool=solo", "--loglevel=INFO",
         "-n", f"{queue}@%h", "--without-mingle", "--without-gossip",
         "-s", str(tmp_path / "beat-schedule")],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        yield worker, mail_dir, log_path
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        log.close()


def _sessions_opened() -> int:
    """Sessions PostgreSQL has opened on this database so far (pg_stat_database, PostgreSQL 14+)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


@pytest.mark.services
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
class RealWorkerTests:
    def test_worker_and_beat_flag_an_overdue_case_and_send_the_email(self, hanoi_data, tmp_path):
        make_staff("hk_off")
        case = make_report(email="")
        Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(hours=1))  # due in the past

        with real_worker(tmp_path) as (worker, mail_dir, log_path):
            deadline = time.monotonic() + WORKER_WAIT_SECONDS
            sent = None
            while time.monotonic() < deadline and worker.poll() is None:
                sent = OutboxMessage.objects.filter(dedupe_key__startswith="overdue:", status=OutboxStatus.SENT).first()
                if sent and mail_dir.exists() and any(mail_dir.iterdir()):
                    break
                time.sleep(0.5)
            output = log_path.read_text()
            assert worker.poll() is None, f"worker died:\n{output[-3000:]}"
            assert sent is not None, f"no overdue email sent within {WORKER_WAIT_SECONDS}s:\n{output[-3000:]}"
        case.refresh_from_db()
        assert case.is_overdue and case.overdue_at is not None
        assert sent.recipient == "hk_off@example.com"
        mails = "".join(p.read_text() for p in mail_dir.iterdir())
        assert case.tracking_code in mails and "hk_off@example.com" in mails

    def test_the_worker_keeps_its_database_connection_between_tasks(self, hanoi_data, tmp_path):
        """Celery's Django fixup closed every connection around every task: a new PostgreSQL session (about
        5 ms of its CPU) per task. The worker now keeps it for CONN_MAX_AGE, as a web process does."""
        with real_worker(tmp_path, sweep_interval=1) as (worker, _mail_dir, log_path):
            def tasks_done() -> int:
                return log_path.read_text().count(" succeeded in ")

            deadline = time.monotonic() + WORKER_WAIT_SECONDS
            while tasks_done() < 2 and time.monotonic() < deadline and worker.poll() is None:
                time.sleep(0.2)
            assert tasks_done() >= 2, log_path.read_text()[-3000:]
            before, done_before = _sessions_opened(), tasks_done()
            while tasks_done() < done_before + 6 and time.monotonic() < deadline and worker.poll() is None:
                time.sleep(0.2)
            ran = tasks_done() - done_before
            assert ran >= 6, log_path.read_text()[-3000:]
            assert _sessions_opened() - before <= 1, f"{ran} tasks"
