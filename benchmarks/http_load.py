"""HTTP load benchmark of the production stack (issue 16): one command, bounded in time, prints figures.

Starts the portal locally exactly as production runs it — `bin/prod release`, `bin/prod web` (gunicorn, 4 sync
workers), `bin/prod worker` (Celery) — with the production settings (DEBUG off, SECRET_KEY, ALLOWED_HOSTS,
SITE_URL, EMAIL_URL=memorymail://) on PostgreSQL (database ihanoi_bench_http, dropped and created again unless
--reuse) and Redis (db 13, flushed); seeds N cases (benchmarks/http_seed.py: the fields `submit_report` gives,
bulk-written, then `manage.py rebuild_tally`), issues an Open311 API key with feedback.api_clients, and drives
wrk (Debian package `wrk`) on 127.0.0.1. Every request carries `X-Forwarded-Proto: https`, as the TLS proxy
sends it, so SECURE_SSL_REDIRECT stays on.

Rate limits raised for the run (they are per client IP, and wrk is one IP): API_ANON_REPORT_RATE=100000/second
(REST anonymous reports; a 1-second window keeps DRF's throttle history short) and WEB_REPORT_RATE=100000/second
(the web form, for when it has a limit).

Tables (req/s is the mean over the rounds; p50 is the median of the rounds' p50, p99 the worst round's p99):
  1. API and report POSTs at -c16 (services.json, requests.json default / filtered, requests/{id}.json, Open311
     POST form-encoded, REST POST JSON, web form POST multipart with a JPEG and the CSRF token+cookie fetched
     once), and the FLOOR view (/bench/floor/, one INSERT, IHANOI_BENCH_FLOOR=1) with each POST's ratio to it;
     for POSTs "stored" (rows counted before/after) against the successes (2xx, or the web form's 302 to /track/).
     Below it, each POST's and the floor's CPU ms per request by process group (web, celery, postgres, redis, wrk),
     from /proc over the run and until the Celery processes are idle again: where the machine's time goes.
  2. Burst reads at -c64 (/board/, /map/points.json city view and street level, /track/<code>/, /, /report/), each
     alone and again beside a 4-connection Open311 POST stream; the stream's rate solo and beside.
Endpoints are interleaved round by round, so drift of the (shared) machine touches all alike.

    .venv/bin/python benchmarks/http_load.py                      # defaults: 2500 cases, 2 rounds × 5 s (~5 min)
    .venv/bin/python benchmarks/http_load.py --duration 2 --rounds 1 --cases 500 --reuse   # a quick look

The dashboard's figures (1M cases) come from `.venv/bin/python -m benchmarks.dashboard`, not from here.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.helpers import free_port, jpeg, multipart  # noqa: E402
LUA = ROOT / "benchmarks" / "http_load.lua"
# The public map as a browser asks for it (static/js/public-map.js): the box and zoom of a laptop's map (≈ 750 ×
# 650 px) showing the whole city (clusters), and a street-level view around Hoàn Kiếm lake (the reports themselves).
MAP_CITY = "/map/points.json?bbox=105.14000,20.56000,106.17000,21.39000&zoom=10"
MAP_STREET = "/map/points.json?bbox=105.84850,21.02550,105.85650,21.03200&zoom=17"
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


# --- helpers -----------------------------------------------------------------------------------------------------

def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[:1]
    pg = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version", "postgres"],
                        capture_output=True, text=True).stdout.strip()
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                         text=True).stdout.strip()
    return (f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {model}; load average {load}\n"
            f"         {platform.platform()}; Python {platform.python_version()}; PostgreSQL {pg}; "
            f"{(wrk or ['wrk ?'])[0].split(' Copyright')[0]}; git {rev}")


def psql(sql: str, db: str = "postgres") -> str:
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-qtAc", sql, db],
                         capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"psql failed: {sql}\n{out.stderr}")
    return out.stdout.strip()


# --- endpoints and results ---------------------------------------------------------------------------------------

CPU_GROUPS = (("web", "gunicorn"), ("celery", "celery"), ("postgres", "postgres"), ("redis", "redis-server"))
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def cpu_ticks() -> dict[str, int]:
    """CPU time (user + system clock ticks) of every running process, summed by group: the gunicorn workers and
    master, the Celery processes, PostgreSQL's backends and Redis (matched on the command line); and wrk, this
    script's finished children (getrusage: wrk, and the few psql row counts)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {name: 0 for name, _ in CPU_GROUPS} | {"wrk": round((children.ru_utime + children.ru_stime) * 1000 / TICK_MS)}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        # utime, stime, and cutime, cstime: the reaped children's (fields 14–17 of proc(5)), so a PostgreSQL
        # backend or a gunicorn worker that exits during a run stays counted, in its parent's figures
        ticks = sum(int(f) for f in fields[11:15])
        for name, needle in CPU_GROUPS:
            if needle in cmd or (needle == "postgres" and stat.split(" (", 1)[1].startswith("postgres")):
                out[name] += ticks
                break
    return out


@dataclass
class Endpoint:
    name: str
    path: str
    method: str = "GET"
    body: Path | None = None
    headers: dict[str, str] = field(default_factory=dict)
    stored: str | None = None  # SQL counting the rows a successful POST adds


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    ok: int
    bad: int
    bad_status: int
    errors: int
    bytes_per: float
    stored: int | None = None
    cpu_ms: dict[str, float] = field(default_factory=dict)  # CPU ms per request, by process group (cpu_ticks)


@dataclass
class Result:
    runs: list[Run] = field(default_factory=list)

    def row(self) -> dict:
        rs = self.runs
        rps = [r.rps for r in rs]
        stored = [r.stored for r in rs if r.stored is not None]
        return {"rps": statistics.mean(rps), "rps_min": min(rps), "rps_max": max(rps),
                "p50": statistics.median(r.p50_ms for r in rs), "p99": max(r.p99_ms for r in rs),
                "ok": sum(r.ok for r in rs), "bad": sum(r.bad + r.errors for r in rs),
                "bad_status": next((r.bad_status for r in rs if r.bad_status), 0),
                "stored": sum(stored) if stored else None, "bytes": statistics.mean(r.bytes_per for r in rs)}


class Bench:
    def __init__(self, args):
        self.args = args
        self.port = args.port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.work = Path(tempfile.mkdtemp(prefix="ihanoi-bench-http."))
        self.procs: list[subprocess.Popen] = []
        self.db = args.db
        self.env = self._env()
        self.common = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https",
                       "User-Agent": "ihanoi-http-load"}
        self._db_conn = None

    def _env(self) -> dict:
        a = self.args
        env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "CELERY_TASK_ALWAYS_EAGER")}
        env.update({
            "DJANGO_SETTINGS_MODULE": "ihanoi.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"https://127.0.0.1:{self.port}",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{self.db}",
            "REDIS_URL": f"redis://127.0.0.1:6379/{a.redis_db}",
            "EMAIL_URL": "memorymail://",  # Django's locmem backend in the worker: emails are built, not sent
            "VAR_DIR": str(a.var_dir),
            "HOST": "127.0.0.1", "PORT": str(self.port),
            "WEB_CONCURRENCY": str(a.workers), "CELERY_CONCURRENCY": str(a.celery),
            "IHANOI_BENCH_FLOOR": "1",
            "API_ANON_REPORT_RATE": "100000/second", "WEB_REPORT_RATE": "100000/second",
            "LOG_LEVEL": "WARNING",
        })
        return env

    # --- stack -----------------------------------------------------------------------------------------------
    def step(self, text: str) -> None:
        print(f"  [{time.monotonic() - self.t0:5.0f} s] {text}", flush=True)

    def prepare(self) -> dict:
        a = self.args
        exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{self.db}'") == "1"
        if not (a.reuse and exists):
            psql(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)")
            psql(f"CREATE DATABASE {self.db}")
        subprocess.run(["redis-cli", "-h", "127.0.0.1", "-n", str(a.redis_db), "flushdb"], check=True,
                       stdout=subprocess.DEVNULL)
        self.step(f"bin/prod release (database {self.db}{', reused' if a.reuse and exists else ', new'}; "
                  f"Redis db {a.redis_db} flushed)")
        with open(self.work / "release.log", "w") as log:
            subprocess.run([str(ROOT / "bin" / "prod"), "release"], cwd=ROOT, env=self.env, stdout=log,
                           stderr=subprocess.STDOUT, check=True)
        from ihanoi.bench_floor import TABLE_SQL

        psql(TABLE_SQL["postgresql"], self.db)  # the floor view's table: raw SQL, no migration
        self.step(f"seeding {a.cases} cases (benchmarks/http_seed.py), rebuild_tally, Open311 API key")
        out = subprocess.run([PY, str(ROOT / "benchmarks" / "http_seed.py"), str(a.cases)], cwd=ROOT, env=self.env,
                             capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"seeding failed:\n{out.stderr[-3000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def start(self) -> None:
        for name in ("web", "worker"):
            log = open(self.work / f"{name}.log", "w")
            self.procs.append(subprocess.Popen([str(ROOT / "bin" / "prod"), name], cwd=ROOT, env=self.env,
                                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if any(p.poll() is not None for p in self.procs):
                break
            time.sleep(0.3)
        raise SystemExit(f"the stack did not start; logs in {self.work}")

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)  # the group of this process only (start_new_session)
                except ProcessLookupError:
                    pass
        end = time.monotonic() + 20
        for p in self.procs:
            try:
                p.wait(timeout=max(0.1, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        if self._db_conn is not None:
            self._db_conn.close()

    # --- requests ----------------------------------------------------------------------------------------------
    def get(self, path: str, headers: dict | None = None):
        req = urllib.request.Request(self.base + path, headers={**self.common, **(headers or {})})
        return urllib.request.urlopen(req, timeout=30)

    def count(self, sql: str) -> int:
        import psycopg2

        if self._db_conn is None:
            self._db_conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=self.db)
            self._db_conn.autocommit = True
        with self._db_conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchone()[0]

    def endpoints(self, seed: dict) -> tuple[list[Endpoint], list[Endpoint], Endpoint]:
        code, topic, key = seed["code"], seed["topic"], seed["api_key"]
        lat, lon = seed["ward_lat"], seed["ward_lon"]
        desc = "Rác tồn đọng ba ngày ở đầu ngõ 12 Hàng Bài"
        form = {"Content-Type": "application/x-www-form-urlencoded"}

        def body(name: str, data: bytes) -> Path:
            path = self.work / name
            path.write_bytes(data)
            return path

        open311 = Endpoint("POST requests.json (Open311)", "/api/georeport/v2/requests.json", "POST", body(
            "open311.txt", urllib.parse.urlencode({
                "api_key": key, "jurisdiction_id": "hanoi", "service_code": topic, "lat": lat, "long": lon,
                "description": desc, "email": "lan@example.com", "first_name": "Lan", "last_name": "Nguyễn"}).encode()),
            form, "SELECT count(*) FROM feedback_case WHERE channel = 'open311:bench-http'")
        rest = Endpoint("POST /api/v1/reports/ (REST JSON)", "/api/v1/reports/", "POST", body(
            "rest.json", json.dumps({"topic": topic, "description": desc, "latitude": lat, "longitude": lon,
                                     "email": "lan@example.com"}).encode()),
            {"Content-Type": "application/json"}, "SELECT count(*) FROM feedback_case WHERE channel = 'api'")
        # the web form: one CSRF token + cookie, fetched once and reused by every POST
        with self.get("/report/") as r:
            html = r.read().decode()
            cookie = next(c.split(";", 1)[0] for c in r.headers.get_all("Set-Cookie") if c.startswith("csrftoken="))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        photo = jpeg()
        self.photo_bytes = len(photo)
        data, ctype = multipart({"csrfmiddlewaretoken": token, "topic": str(seed["topic_pk"]), "description": desc,
                                 "latitude": str(lat), "longitude": str(lon), "email": "lan@example.com"},
                                {"photos": ("street.jpg", photo, "image/jpeg")})
        web = Endpoint("POST /report/ (web form, 1 JPEG)", "/report/", "POST", body("web.multipart", data),
                       {"Content-Type": ctype, "Cookie": cookie, "Origin": f"https://127.0.0.1:{self.port}",
                        "Referer": f"https://127.0.0.1:{self.port}/report/"},
                       "SELECT count(*) FROM feedback_case WHERE channel = 'web'")
        floor = Endpoint("FLOOR POST /bench/floor/ (one INSERT)", "/bench/floor/", "POST",
                         body("floor.txt", b"note=floor"), form, "SELECT count(*) FROM bench_floor")
        api = [
            Endpoint("GET services.json", "/api/georeport/v2/services.json"),
            Endpoint("GET requests.json (spec default)", "/api/georeport/v2/requests.json"),
            Endpoint("GET requests.json (spec default, gzip)", "/api/georeport/v2/requests.json",
                     headers={"Accept-Encoding": "gzip"}),
            Endpoint("GET requests.json?service_code&status=open",
                     f"/api/georeport/v2/requests.json?service_code={topic}&status=open"),
            Endpoint("GET requests/{id}.json", f"/api/georeport/v2/requests/{code}.json"),
            open311, rest, web, floor,
        ]
        page = {"Accept-Encoding": "gzip, deflate, br"}  # as every browser sends it (the pages are stored gzipped)
        burst = [Endpoint("/board/", "/board/", headers=page),
                 Endpoint("/map/points.json city z10", MAP_CITY, headers=page),
                 Endpoint("/map/points.json street z17", MAP_STREET, headers=page),
                 Endpoint("/track/<code>/", f"/track/{code}/", headers=page), Endpoint("/", "/", headers=page),
                 Endpoint("/report/", "/report/", headers=page)]
        return api, burst, open311

    def check(self, endpoints: list[Endpoint]) -> None:
        """Each endpoint answers as expected once, before any load (a wrong setup fails here, not in the table)."""
        for ep in endpoints:
            cmd = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "-X", ep.method]
            for k, v in {**self.common, **ep.headers}.items():
                cmd += ["-H", f"{k}: {v}"]
            if ep.body:
                cmd += ["--data-binary", f"@{ep.body}"]
            out = subprocess.run(cmd + [self.base + ep.path], capture_output=True, text=True).stdout
            status = int(out.split()[0] or 0)
            if not (200 <= status < 300 or (status == 302 and "/track/" in out)):
                raise SystemExit(f"{ep.method} {ep.path} answered {out!r}; logs in {self.work}")

    def wrk(self, ep: Endpoint, *, connections: int, duration: float, threads: int = 2) -> subprocess.Popen:
        headers = [f"{k}: {v}" for k, v in {**self.common, **ep.headers}.items()]
        cmd = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
               "-s", str(LUA), self.base + ep.path, "--", ep.method, str(ep.body) if ep.body else "-", *headers]
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def drain(self) -> None:
        """Wait until the server has finished what wrk left in flight (sync workers finish every request they
        have read, even when wrk has closed the connection), so the next run starts on an idle server."""
        for _ in range(2):
            t = time.monotonic()
            with urllib.request.urlopen(self.base + "/healthz", timeout=120) as r:
                r.read()
            if time.monotonic() - t < 0.05:
                break
        time.sleep(0.2)

    @staticmethod
    def settle_celery(limit: float = 30.0) -> None:
        """Wait (at most `limit` s) until the Celery processes stop using CPU: the emails and thumbnails a POST
        run queued are done, so their cost is counted with the run that queued them."""
        t_end, last = time.monotonic() + limit, cpu_ticks()["celery"]
        while time.monotonic() < t_end:
            time.sleep(0.5)
            now = cpu_ticks()["celery"]
            if now - last <= 1:
                return
            last = now

    @staticmethod
    def parse(proc: subprocess.Popen) -> Run:
        out, _ = proc.communicate()
        line = next((ln for ln in out.splitlines() if ln.startswith("BENCHJSON ")), None)
        if line is None:
            raise SystemExit(f"wrk gave no result:\n{out}")
        d = json.loads(line.removeprefix("BENCHJSON "))
        secs = d["duration_us"] / 1e6
        return Run(rps=d["requests"] / secs, p50_ms=d["p50_us"] / 1000, p99_ms=d["p99_us"] / 1000,
                   requests=d["requests"], ok=d["ok"], bad=d["bad"], bad_status=d["bad_status"],
                   errors=d["connect"] + d["read"] + d["write"] + d["timeout"],
                   bytes_per=d["bytes"] / max(1, d["requests"]))

    def measure(self, ep: Endpoint, *, connections: int, beside: Endpoint | None = None) -> tuple[Run, Run | None]:
        d = self.args.duration
        counted = [e for e in (ep, beside) if e and e.stored]
        before = {e.name: self.count(e.stored) for e in counted}
        ticks = cpu_ticks()
        procs = [self.wrk(ep, connections=connections, duration=d)]
        if beside:
            procs.append(self.wrk(beside, connections=self.args.post_connections, duration=d, threads=1))
        runs = [self.parse(p) for p in procs]
        self.drain()
        if not beside:  # what the run cost each process group, the Celery work it queued included
            self.settle_celery()
            after = cpu_ticks()
            runs[0].cpu_ms = {k: (after[k] - ticks[k]) * TICK_MS / max(1, runs[0].requests) for k in after}
        for e, r in zip((ep, beside), runs):
            if e and e.stored:
                r.stored = self.count(e.stored) - before[e.name]
        return runs[0], (runs[1] if beside else None)

    # --- the run -------------------------------------------------------------------------------------------------
    def run(self) -> None:
        a = self.args
        self.t0 = time.monotonic()
        print(f"iHanoi HTTP load benchmark — {time.strftime('%Y-%m-%d %H:%M %Z')}")
        print(machine())
        threads = int(os.environ.get("WEB_THREADS") or 1)  # bin/prod's knob, passed through
        kind = f"{a.workers} gthread workers × {threads} threads" if threads > 1 else f"{a.workers} sync workers"
        print(f"stack: bin/prod web (gunicorn, {kind}) + bin/prod worker (Celery, {a.celery}), "
              f"production settings, PostgreSQL {self.db}, Redis db {a.redis_db}, {self.base}")
        print(f"wrk: {a.rounds} round(s) × {a.duration:g} s per endpoint, interleaved; API/POST table at "
              f"-c{a.connections}, burst at -c{a.burst_connections}, POST stream -c{a.post_connections}")
        print("rate limits raised for the run: API_ANON_REPORT_RATE=100000/second, WEB_REPORT_RATE=100000/second")
        try:
            seed = self.prepare()
            self.step("starting bin/prod web and bin/prod worker")
            self.start()
            api, burst, stream = self.endpoints(seed)
            if a.only:
                api = [e for e in api if re.search(a.only, e.name)]
                burst = [e for e in burst if re.search(a.only, e.name)] if not a.no_burst else []
            elif a.no_burst:
                burst = []
            self.check(api + burst + [stream])
            self.step(f"{seed['cases']} cases; warming up every endpoint (1 s each)")
            for ep in api + burst:
                self.parse(self.wrk(ep, connections=a.workers, duration=1))
                self.drain()
            results: dict[str, Result] = {e.name: Result() for e in api}
            alone = {e.name: Result() for e in burst}
            beside = {e.name: Result() for e in burst}
            stream_solo, stream_beside = Result(), {e.name: Result() for e in burst}
            for rnd in range(a.rounds):
                self.step(f"round {rnd + 1}/{a.rounds}: API and POSTs")
                for ep in api:
                    results[ep.name].runs.append(self.measure(ep, connections=a.connections)[0])
                if burst:
                    self.step(f"round {rnd + 1}/{a.rounds}: burst reads alone and beside the POST stream")
                    stream_solo.runs.append(self.measure(stream, connections=a.post_connections)[0])
                    for ep in burst:
                        alone[ep.name].runs.append(self.measure(ep, connections=a.burst_connections)[0])
                        run, post = self.measure(ep, connections=a.burst_connections, beside=stream)
                        beside[ep.name].runs.append(run)
                        stream_beside[ep.name].runs.append(post)
            self.step("done")
            self.report(results, alone, beside, stream_solo, stream_beside, seed)
        finally:
            self.stop()
            if not a.keep_logs:
                shutil.rmtree(self.work, ignore_errors=True)
            else:
                print(f"logs kept in {self.work}")

    def report(self, results, alone, beside, stream_solo, stream_beside, seed) -> None:
        a = self.args
        floor = results.get("FLOOR POST /bench/floor/ (one INSERT)")
        floor_rps = floor.row()["rps"] if floor and floor.runs else None

        def fmt_rps(row):
            spread = f" ({row['rps_min']:.0f}–{row['rps_max']:.0f})" if a.rounds > 1 else ""
            return f"{row['rps']:.1f}{spread}"

        def bad(row):
            return f"{row['bad']}" + (f" (HTTP {row['bad_status']})" if row["bad_status"] else "")

        print()
        print(f"## API and report POSTs — {seed['cases']} cases, wrk -t2 -c{a.connections}, "
              f"{a.rounds} × {a.duration:g} s")
        print()
        print("| endpoint | req/s (min–max) | p50 ms | p99 ms | non-2xx | stored vs 2xx | bytes/response | vs floor |")
        print("|---|---|---|---|---|---|---|---|")
        for name, res in results.items():
            row = res.row()
            stored = f"{row['stored']} / {row['ok']}" if row["stored"] is not None else ""
            ratio = f"{row['rps'] / floor_rps:.1%}" if floor_rps and "POST" in name else ""
            print(f"| {name} | {fmt_rps(row)} | {row['p50']:.1f} | {row['p99']:.1f} | {bad(row)} | {stored} | "
                  f"{row['bytes']:,.0f} | {ratio} |")
        print()
        print("CPU ms per request by process (/proc ticks over the run, until Celery is idle again; the machine has "
              f"{os.cpu_count()} cores = {os.cpu_count() * 1000} ms of CPU per second):")
        print()
        groups = [name for name, _ in CPU_GROUPS] + ["wrk"]
        print("| endpoint | " + " | ".join(groups) + " | total |")
        print("|---|" + "---|" * (len(groups) + 1))
        for name, res in results.items():
            if "POST" not in name or not res.runs:
                continue
            cpu = {g: statistics.mean(r.cpu_ms.get(g, 0.0) for r in res.runs) for g in groups}
            print(f"| {name} | " + " | ".join(f"{cpu[g]:.1f}" for g in groups) + f" | {sum(cpu.values()):.1f} |")
        print()
        print("non-2xx: responses other than 2xx (the web form's 302 to /track/ counts as success) plus socket "
              f"errors/timeouts; the web form sends one {self.photo_bytes // 1000} KB JPEG per POST. Rows are counted "
              "once the server is idle again: 'stored' may exceed the 2xx by the requests in flight when wrk stopped "
              "(the server finishes them; wrk no longer listens).")
        if not alone:
            return
        print()
        print(f"## Burst reads — wrk -t2 -c{a.burst_connections}, alone and beside a -c{a.post_connections} Open311 "
              "POST stream")
        print()
        print("| page | alone req/s | p50 ms | p99 ms | beside req/s | p50 ms | p99 ms | non-2xx | bytes/response "
              "| POST stream beside req/s | stream p99 ms |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        solo_rps = stream_solo.row()["rps"] or float("nan")
        for name in alone:
            r1, r2, s = alone[name].row(), beside[name].row(), stream_beside[name].row()
            print(f"| {name} | {fmt_rps(r1)} | {r1['p50']:.1f} | {r1['p99']:.1f} | {fmt_rps(r2)} | {r2['p50']:.1f} | "
                  f"{r2['p99']:.1f} | {r1['bad'] + r2['bad']} | {r1['bytes']:,.0f} | {s['rps']:.1f} "
                  f"({s['rps'] / solo_rps:.0%} of solo) | {s['p99']:.0f} |")
        print()
        print("CPU ms per request of the burst pages alone (as above):")
        print()
        print("| page | " + " | ".join(groups) + " | total |")
        print("|---|" + "---|" * (len(groups) + 1))
        for name, res in alone.items():
            cpu = {g: statistics.mean(r.cpu_ms.get(g, 0.0) for r in res.runs) for g in groups}
            print(f"| {name} | " + " | ".join(f"{cpu[g]:.2f}" for g in groups) + f" | {sum(cpu.values()):.2f} |")
        solo = stream_solo.row()
        stored = sum(r.stored or 0 for r in stream_solo.runs) + sum(
            r.stored or 0 for res in stream_beside.values() for r in res.runs)
        ok = solo["ok"] + sum(res.row()["ok"] for res in stream_beside.values())
        print()
        print(f"POST stream solo (Open311, -c{a.post_connections}): {fmt_rps(solo)} req/s, p50 {solo['p50']:.1f} ms, "
              f"p99 {solo['p99']:.1f} ms; stored vs 2xx over all stream runs: {stored} / {ok}")
        print()
        print("Dashboard figures (1M cases): .venv/bin/python -m benchmarks.dashboard (not run here)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=2500, help="cases to seed (default 2500)")
    p.add_argument("--duration", type=int, default=5, help="seconds per wrk run (default 5)")
    p.add_argument("--rounds", type=int, default=2, help="interleaved rounds over all endpoints (default 2)")
    p.add_argument("--connections", type=int, default=16, help="connections for the API/POST table (16)")
    p.add_argument("--burst-connections", type=int, default=64, help="connections for the burst reads (64)")
    p.add_argument("--post-connections", type=int, default=4, help="connections of the POST stream (4)")
    p.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (4)")
    p.add_argument("--celery", type=int, default=2, help="Celery worker processes (2, as bin/prod)")
    p.add_argument("--db", default="ihanoi_bench_http", help="PostgreSQL database (ihanoi_bench_http)")
    p.add_argument("--redis-db", type=int, default=13, help="Redis database number, flushed (13)")
    p.add_argument("--reuse", action="store_true", help="keep the database if it exists (seed only what is missing)")
    p.add_argument("--port", type=int, default=0, help="gunicorn port (default: a free one)")
    p.add_argument("--var-dir", type=Path, default=ROOT / "var" / "bench-http",
                   help="VAR_DIR of the stack: static files, media (var/bench-http)")
    p.add_argument("--only", help="regular expression: only the endpoints whose name matches")
    p.add_argument("--no-burst", action="store_true", help="skip the burst-read table")
    p.add_argument("--keep-logs", action="store_true", help="keep the processes' logs")
    args = p.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    bench = Bench(args)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        bench.run()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
