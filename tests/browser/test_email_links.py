"""The links in the emails lead to the portal that sent them: `PORT=… bin/run` started for real (development
settings, SQLite, Celery worker sending the mail to files), a report sent in chromium, its email read and its
link opened."""
from __future__ import annotations

import email
import os
import signal
import socket
import subprocess
import time
import urllib.request
from email.policy import default as default_policy
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.browser.test_citizen_journey import fill_report, jpeg

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
WAIT = 120  # seconds: set-up, migrations and the Hanoi data on an empty SQLite database, on a busy machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check, *, proc: subprocess.Popen, log: Path):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        if proc.poll() is not None:
            pytest.fail(f"bin/run stopped before {what}:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)
    pytest.fail(f"no {what} after {WAIT}s:\n{log.read_text()[-3000:]}")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def sent_emails(folder: Path) -> list[email.message.EmailMessage]:
    """The file email backend writes each message followed by a line of 79 dashes."""
    out = []
    for f in sorted(folder.glob("*.log")):
        for chunk in f.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                out.append(email.message_from_bytes(chunk.lstrip(), policy=default_policy))
    return out


@pytest.fixture
def portal_on_another_port(tmp_path):
    """`PORT=<free port> bin/run` with its own SQLite database, broker and mail folder under tmp_path."""
    port = free_port()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "SITE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG", "EMAIL_URL",
                        "CELERY_TASK_ALWAYS_EAGER", "IHANOI_REQUIRE_SERVICES"}}
    # the test session has set the machine up already: no pip or apt from inside a test
    env.update(PORT=str(port), VAR_DIR=str(tmp_path / "var"), EMAIL_URL=f"filemail:///{mail_dir}",
               IHANOI_SKIP_SETUP="1")
    log = tmp_path / "bin-run.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(REPO / "bin" / "run")], cwd=REPO, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for("portal answering", lambda: answers(url + "/healthz"), proc=proc, log=log)
        yield SimpleNamespace(url=url, mail_dir=mail_dir, proc=proc, log=log)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # bin/run's own process group: runserver and its Celery worker
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class EmailLinkTests:
    def test_the_link_in_the_received_email_opens_the_tracking_page(self, browser_context,
                                                                    portal_on_another_port):
        portal = portal_on_another_port
        page = browser_context().new_page()
        fill_report(page, portal, photo=jpeg())
        page.click("#submit-report")
        page.wait_for_url("**/track/HN-*/")
        code = page.url.rstrip("/").rsplit("/", 1)[-1]

        [received] = wait_for("email", lambda: sent_emails(portal.mail_dir), proc=portal.proc, log=portal.log)
        assert received["To"] == "lan@example.com" and code in received["Subject"]
        body = received.get_body().get_content()
        links = [w for w in body.split() if w.startswith("http")]
        assert links, body
        assert all(link.startswith(f"{portal.url}/track/{code}/") for link in links), links

        private = next(link for link in links if "?key=" in link)
        fresh = browser_context().new_page()  # as if opened from the mail app
        fresh.goto(private)
        assert fresh.url == f"{portal.url}/track/{code}/"  # the key is kept in the session, the URL is clean
        assert fresh.get_by_role("heading", name=f"Phản ánh {code}").is_visible()
