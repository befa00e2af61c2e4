"""Fault test over real HTTP: a Redis outage (cache and broker) while reports flow, then a worker killed with
SIGKILL in the middle of sending. Loopback only, bounded in time (about 2–3 minutes), leaves nothing behind.

    .venv/bin/python benchmarks/fault_redis_outage.py      # FAULT_DB=ihanoi_fault FAULT_PG=postgres://postgres@127.0.0.1:5432

It starts, all of its own: a redis-server on a free port (6390 if free; no persistence, like a crashed
Redis), a fresh PostgreSQL database (FAULT_DB, dropped and created), an SMTP sink in this process (the mail
relay: it records every message it accepts, by Message-ID — one per outbox row), then migrate + load_hanoi, an
Open311 API key (the project's own code), gunicorn (4 sync workers), a Celery worker and beat, all with the
production settings (DEBUG off).

Phase 1 — Redis outage: CLIENTS threads POST Open311 reports for DURATION s; Redis is stopped OUTAGE_AT s in,
for OUTAGE s, and started again (empty). Then it waits (bounded) for the worker to send every queued email.
Prints one line: "N sent, N accepted, 0 refused, N stored, N routed, N notified once, 0 lost" and the p50/p99
latency of the requests started during and outside the outage. Fails on any refusal (5xx, timeout), any
accepted report not stored or not routed, any outbox message unsent or sent twice.

Phase 2 — SIGKILL mid-send: KILL_QUEUED emails are queued through the outbox (`queue_message`); when the
worker starts the SMTP DATA of the KILL_AT-th one, the sink kills the worker's whole process group with
SIGKILL (so the kill lands while a message is claimed and half-sent: the relay has not accepted it); a new
worker is started. Prints one line; fails unless every message is delivered exactly once.
The window this cannot close (no outbox can, with SMTP): a worker killed after the relay accepted a message
and before the outbox row's "sent" commit sends it again after restart. That resend carries the same
Message-ID (feedback.notifications.message_id), so mail systems that deduplicate by Message-ID show it once.
"""
from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.helpers import free_port  # noqa: E402

BIN = Path(sys.executable).parent
DB_NAME = os.environ.get("FAULT_DB", "ihanoi_fault")
PG = os.environ.get("FAULT_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
CLIENTS, DURATION, OUTAGE_AT, OUTAGE = 6, 40.0, 10.0, 20.0
KILL_QUEUED, KILL_AT = 300, 100
DRAIN_WAIT = 90.0  # seconds: the longest the worker may take to send what the outage left queued
HK = (21.0288, 105.8525)  # Hoàn Kiếm: routed to UBND Phường Hoàn Kiếm
API_KEY = "fault-" + secrets.token_hex(16)
T0 = time.monotonic()


def say(*parts) -> None:
    print(f"[fault {time.monotonic() - T0:6.1f}s]", *parts, file=sys.stderr, flush=True)


def wait_for(what: str, check, timeout: float, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise TimeoutError(f"{what}: not within {timeout:.0f}s")


# --- the SMTP sink (the mail relay) -------------------------------------------------------------------------

class Sink(socketserver.ThreadingTCPServer):
    """A minimal SMTP server: accepts every message, records its Message-ID and recipients. `arm()` makes it
    call a function when the n-th DATA command of a recipient prefix arrives, before answering it."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int):
        super().__init__(("127.0.0.1", port), SinkHandler)
        self.lock = threading.Lock()
        self.accepted: list[tuple[str, tuple[str, ...]]] = []
        self.trigger: dict | None = None

    def arm(self, prefix: str, nth: int, action, when: str = "data") -> None:
        """Call `action` when the nth message to `prefix`… starts its DATA (when="data": before the relay has
        accepted it) or has been accepted and not yet acknowledged (when="accepted")."""
        with self.lock:
            self.trigger = {"prefix": prefix, "nth": nth, "seen": 0, "action": action, "fired": False,
                            "when": when}

    def event(self, when: str, recipients: list[str]) -> None:
        with self.lock:
            t = self.trigger
            if not t or t["fired"] or t["when"] != when or not any(r.startswith(t["prefix"]) for r in recipients):
                return
            t["seen"] += 1
            if t["seen"] < t["nth"]:
                return
            t["fired"] = True
        t["action"](recipients)

    def count(self, prefix: str = "") -> dict[str, int]:
        with self.lock:
            found: dict[str, int] = {}
            for msgid, recipients in self.accepted:
                if any(r.startswith(prefix) for r in recipients):
                    found[msgid] = found.get(msgid, 0) + 1
            return found


class SinkHandler(socketserver.StreamRequestHandler):
    def reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self) -> None:
        try:
            self.converse()
        except ConnectionError:
            pass  # the client died mid-conversation (phase 2 kills it): nothing was accepted

    def converse(self) -> None:
        server: Sink = self.server
        self.reply("220 fault-sink ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            verb = line[:4].decode("ascii", "replace").upper()
            if verb == "EHLO":
                self.reply("250-fault-sink\r\n250-8BITMIME\r\n250 SIZE 10485760")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line.decode().split(":", 1)[1].strip().strip("<>").split(">")[0])
                self.reply("250 OK")
            elif verb == "DATA":
                server.event("data", recipients)
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                headers, in_headers, msgid = [], True, ""
                while (data := self.rfile.readline()) != b".\r\n":
                    if not data:
                        return  # the client died mid-message: nothing was accepted
                    if in_headers:
                        if data in (b"\r\n", b"\n"):
                            in_headers = False
                        elif data.lower().startswith(b"message-id:"):
                            msgid = data.split(b":", 1)[1].strip().decode()
                with server.lock:
                    server.accepted.append((msgid, tuple(recipients)))
                server.event("accepted", recipients)
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:  # HELO, RSET, NOOP
                self.reply("250 OK")


# --- processes ----------------------------------------------------------------------------------------------

class Stack:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.procs: dict[str, subprocess.Popen] = {}
        self.redis_port = free_port(6390)
        self.web_port = free_port()
        self.sink = Sink(free_port())
        threading.Thread(target=self.sink.serve_forever, daemon=True).start()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
            "DJANGO_SETTINGS_MODULE": "ihanoi.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{self.web_port}",
            "DATABASE_URL": f"{PG}/{DB_NAME}",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "EMAIL_URL": f"smtp://127.0.0.1:{self.sink.server_address[1]}",
            "VAR_DIR": str(tmp / "var"),
            "IHANOI_SWEEP_INTERVAL": "5",  # beat drains the outbox every 5 s (what the outage left pending)
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }

    def log(self, name: str) -> Path:
        return self.tmp / f"{name}.log"

    def spawn(self, name: str, cmd: list[str], **extra_env: str) -> subprocess.Popen:
        with open(self.log(name), "ab") as out:
            proc = subprocess.Popen(cmd, cwd=ROOT, env={**self.env, **extra_env}, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def start(self, role: str, name: str | None = None) -> subprocess.Popen:
        """The portal's production processes, started exactly as a deployment starts them: `bin/prod <role>`."""
        extra = {
            "web": {"HOST": "127.0.0.1", "PORT": str(self.web_port), "WEB_CONCURRENCY": "4"},
            # one process sends, so the SIGKILL of phase 2 lands in one known message
            "worker": {"CELERY_CONCURRENCY": "1"},
            "beat": {"CELERY_BEAT_SCHEDULE_FILE": str(self.tmp / "beat-schedule")},
        }[role]
        return self.spawn(name or role, [str(ROOT / "bin" / "prod"), role], IHANOI_VENV=str(BIN.parent), **extra)

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=180)
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def redis_up(self) -> None:
        self.spawn("redis", ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--protected-mode", "yes"])
        wait_for("redis", lambda: _connects(self.redis_port), 10)

    def stop(self, name: str, sig=signal.SIGTERM, wait: float = 10) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
            proc.wait(wait)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(5)

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name)
        self.sink.shutdown()

    def tails(self, lines: int = 30) -> None:
        for log in sorted(self.tmp.glob("*.log")):
            text = log.read_text(errors="replace").splitlines()[-lines:]
            print(f"----- {log.name} (last {len(text)} lines)", *text, sep="\n", file=sys.stderr)


def _connects(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


# --- the database -------------------------------------------------------------------------------------------

def fresh_database() -> None:
    import psycopg2

    conn = psycopg2.connect(f"{PG}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    conn.close()


def query(sql: str, params=()) -> list[tuple]:
    import psycopg2

    conn = psycopg2.connect(f"{PG}/{DB_NAME}")
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


def drop_database() -> None:
    import psycopg2

    conn = psycopg2.connect(f"{PG}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    conn.close()


# --- phase 1: the outage ------------------------------------------------------------------------------------

def client_loop(stack: Stack, n: int, until: float, results: list, lock: threading.Lock) -> None:
    url = f"http://127.0.0.1:{stack.web_port}/api/georeport/v2/requests.json"
    rng = random.Random(n)
    i = 0
    while time.monotonic() < until:
        i += 1
        email = f"r{n}x{i}@fault.example"
        body = urllib.parse.urlencode({
            "api_key": API_KEY, "service_code": "waste", "email": email,
            "lat": f"{HK[0] + rng.uniform(-0.0004, 0.0004):.6f}", "long": f"{HK[1] + rng.uniform(-0.0004, 0.0004):.6f}",
            "description": f"Rác tồn đọng ở vỉa hè (báo cáo thử lỗi {n}-{i})",
        }).encode()
        request = urllib.request.Request(url, data=body, headers={"X-Forwarded-Proto": "https"})
        started = time.monotonic()
        code = None
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
                code = json.loads(response.read())[0]["service_request_id"]
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (OSError, ValueError, KeyError, IndexError):
            status = 0  # connection refused or reset, timeout, or a 201 without a tracking code
        with lock:
            results.append({"t": started - T0, "ms": (time.monotonic() - started) * 1000, "status": status,
                            "code": code})


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def outbox_of(codes: list[str]) -> list[tuple]:
    return query("SELECT o.id, o.status, c.tracking_code FROM feedback_outboxmessage o "
                 "JOIN feedback_case c ON c.id = o.case_id WHERE c.tracking_code = ANY(%s)", (codes,))


def delivered_by_row(stack: Stack, prefix: str) -> dict[int, int]:
    """Messages the relay accepted, per outbox row (the Message-ID is <outbox.<pk>.<hash>@host>)."""
    by_row: dict[int, int] = {}
    for msgid, times in stack.sink.count(prefix).items():
        parts = msgid.strip("<>").split(".")
        if parts[0] == "outbox" and parts[1].isdigit():
            by_row[int(parts[1])] = by_row.get(int(parts[1]), 0) + times
        else:
            by_row[-1] = by_row.get(-1, 0) + times  # a message without the outbox's Message-ID
    return by_row


def phase_outage(stack: Stack) -> bool:
    results: list[dict] = []
    lock = threading.Lock()
    start = time.monotonic()
    until = start + DURATION
    threads = [threading.Thread(target=client_loop, args=(stack, n, until, results, lock)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    time.sleep(OUTAGE_AT)
    down_at = time.monotonic() - T0
    say(f"stopping Redis (port {stack.redis_port}) for {OUTAGE:.0f}s")
    stack.stop("redis", signal.SIGKILL)
    time.sleep(OUTAGE)
    up_at = time.monotonic() - T0
    stack.redis_up()
    say("Redis is back (empty)")
    for t in threads:
        t.join(60)

    accepted = [r for r in results if r["status"] == 201 and r["code"]]
    codes = [r["code"] for r in accepted]
    say(f"{len(results)} requests done; waiting for the outbox to drain")

    def drained():
        rows = outbox_of(codes)
        delivered = delivered_by_row(stack, "r")
        return rows if rows and all(s == "sent" for _, s, _ in rows) and all(delivered.get(pk) for pk, _, _ in rows) \
            else None

    try:
        wait_for("outbox drained", drained, DRAIN_WAIT, every=1.0)
    except TimeoutError as exc:
        say(exc)
    time.sleep(2)  # a duplicate would come now, if any
    rows = outbox_of(codes)
    delivered = delivered_by_row(stack, "r")
    cases = query("SELECT tracking_code, agency_id IS NOT NULL AND due_at IS NOT NULL FROM feedback_case "
                  "WHERE tracking_code = ANY(%s)", (codes,))
    stored = {code for code, _ in cases}
    routed = {code for code, ok in cases if ok}
    rows_of: dict[str, list[int]] = {}
    for pk, _status, code in rows:
        rows_of.setdefault(code, []).append(pk)
    notified_once = {c for c in stored if rows_of.get(c) and all(delivered.get(pk) == 1 for pk in rows_of[c])}
    unsent = sum(1 for pk, _, _ in rows if not delivered.get(pk))
    duplicated = sum(1 for pk, _, _ in rows if delivered.get(pk, 0) > 1) + delivered.get(-1, 0)
    lost = len(set(codes) - stored) + len({c for c in stored if not rows_of.get(c) or any(
        not delivered.get(pk) for pk in rows_of[c])})
    refused = len(results) - len(accepted)
    during = [r["ms"] for r in results if down_at <= r["t"] <= up_at]
    outside = [r["ms"] for r in results if not down_at <= r["t"] <= up_at]
    print(f"{len(results)} sent, {len(accepted)} accepted, {refused} refused, {len(stored)} stored, "
          f"{len(routed)} routed, {len(notified_once)} notified once, {lost} lost "
          f"({len(rows)} emails, {unsent} unsent, {duplicated} duplicated); latency p50/p99 outside the outage "
          f"{pct(outside, 50):.0f}/{pct(outside, 99):.0f} ms, during it {pct(during, 50):.0f}/{pct(during, 99):.0f} ms "
          f"({len(during)} requests in the {OUTAGE:.0f}s outage)", flush=True)
    if refused:
        statuses = sorted({r["status"] for r in results if r not in accepted})
        say(f"refused with status {statuses} (0 = connection error or timeout)")
    return bool(results) and not refused and not lost and not duplicated and not unsent \
        and len(stored) == len(routed) == len(accepted)


# --- phase 2: SIGKILL mid-send ------------------------------------------------------------------------------

QUEUE_SCRIPT = """
from django.db import transaction
from feedback.notifications import queue_message
with transaction.atomic():
    for i in range({n}):
        queue_message(recipient=f"{prefix}{{i}}@kill.example", subject=f"fault test {{i}}", body="Thư thử lỗi.\\n",
                      key=f"fault-{prefix}:{{i}}")
"""


def kill_while_sending(stack: Stack, prefix: str, when: str, worker: str) -> tuple[dict, int, int, int, int]:
    """Queue KILL_QUEUED emails, SIGKILL the worker at the sink's `when` of the KILL_AT-th, start `worker`, wait
    for the drain. Returns (delivered per row, interrupted row, delivered once, duplicated, lost)."""
    killed: dict = {}

    def kill_worker(recipients):
        proc = stack.procs["worker"]
        killed.update(recipient=recipients[0])
        os.killpg(proc.pid, signal.SIGKILL)  # the worker and its pool child, in the middle of this message

    stack.sink.arm(prefix, KILL_AT, kill_worker, when)
    stack.manage("shell", "-c", QUEUE_SCRIPT.format(n=KILL_QUEUED, prefix=prefix))
    wait_for("the kill", lambda: killed, 60)
    stack.procs.pop("worker").wait(10)
    stack.start("worker", worker)
    stack.procs["worker"] = stack.procs.pop(worker)  # its log is <worker>.log
    say(f"worker killed (SIGKILL, {when}) while sending to {killed['recipient']}; a new worker started")
    like = f"fault-{prefix}:%%"

    def drained():
        sent = query("SELECT count(*) FROM feedback_outboxmessage WHERE dedupe_key LIKE %s AND status = 'sent'",
                     (like,))[0][0]
        return sent == KILL_QUEUED and len(delivered_by_row(stack, prefix)) >= KILL_QUEUED

    try:
        wait_for("the killed worker's messages sent", drained, DRAIN_WAIT, every=1.0)
    except TimeoutError as exc:
        say(exc)
    time.sleep(2)
    rows = query("SELECT id, recipient FROM feedback_outboxmessage WHERE dedupe_key LIKE %s", (like,))
    delivered = delivered_by_row(stack, prefix)
    [interrupted] = [pk for pk, r in rows if r == killed["recipient"]]
    once = sum(1 for pk, _ in rows if delivered.get(pk) == 1)
    lost = sum(1 for pk, _ in rows if not delivered.get(pk)) + KILL_QUEUED - len(rows)
    duplicated = sum(1 for pk, _ in rows if delivered.get(pk, 0) > 1) + delivered.get(-1, 0)
    return delivered, interrupted, once, duplicated, lost


def phase_sigkill(stack: Stack) -> bool:
    delivered, interrupted, once, duplicated, lost = kill_while_sending(stack, "k", "data", "worker2")
    print(f"SIGKILL mid-send: {KILL_QUEUED} queued, worker killed during message #{KILL_AT}'s SMTP DATA, "
          f"{once} delivered once (the interrupted one {delivered.get(interrupted, 0)} time(s)), "
          f"{duplicated} duplicated, {lost} lost", flush=True)
    ok = once == KILL_QUEUED and not duplicated and not lost
    # The window no outbox closes: killed after the relay accepted a message, before its row was marked sent.
    # Measured and shown, not failed on: it is resent once, with the same Message-ID.
    delivered, interrupted, once, duplicated, lost = kill_while_sending(stack, "a", "accepted", "worker3")
    print(f"remaining window (informational): worker killed after the relay accepted message #{KILL_AT} and "
          f"before its row was marked sent: that one delivered {delivered.get(interrupted, 0)} time(s) under one "
          f"Message-ID; of the others {once} delivered once, {duplicated - (delivered.get(interrupted, 0) > 1)} "
          f"duplicated, {lost} lost", flush=True)
    return ok and not lost and duplicated <= 1 and once >= KILL_QUEUED - 1


def main() -> int:
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("fault test over 5 minutes")))
    signal.alarm(300)
    tmp = Path(tempfile.mkdtemp(prefix="ihanoi-fault-"))
    stack = Stack(tmp)
    ok = False
    try:
        stack.redis_up()
        fresh_database()
        say(f"database {DB_NAME}, Redis :{stack.redis_port}, web :{stack.web_port}; migrate + load_hanoi")
        stack.manage("migrate", "--noinput", "-v0")
        stack.manage("load_hanoi")
        stack.manage("shell", "-c", "from feedback.api_clients import set_api_key\nfrom feedback.models import "
                                    f"ApiClient\nset_api_key(client=ApiClient(name='fault'), api_key={API_KEY!r})\n")
        for role in ("web", "worker", "beat"):
            stack.start(role)
        wait_for("gunicorn", lambda: _connects(stack.web_port), 30)
        wait_for("the worker", lambda: "ready" in stack.log("worker").read_text(errors="replace")
                 or _worker_ready(stack), 60, every=0.5)
        say("running")
        ok = phase_outage(stack)
        ok = phase_sigkill(stack) and ok
    except Exception as exc:  # noqa: BLE001 - report any failure with the logs
        say(f"error: {exc!r}")
        ok = False
    finally:
        signal.alarm(0)
        stack.stop_all()
        if not ok:
            stack.tails()
        try:
            drop_database()
        except Exception as exc:  # noqa: BLE001
            say(f"could not drop {DB_NAME}: {exc}")
        shutil.rmtree(tmp, ignore_errors=True)
    say("PASS" if ok else "FAIL")
    return 0 if ok else 1


def _worker_ready(stack: Stack) -> bool:
    done = subprocess.run([str(BIN / "celery"), "-A", "ihanoi.celery_app", "inspect", "ping", "--timeout", "2"],
                          cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=30)
    return done.returncode == 0


if __name__ == "__main__":
    sys.exit(main())
