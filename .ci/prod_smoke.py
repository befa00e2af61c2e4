"""The HTTP half of CI's production stage (.ci/prod-smoke starts the processes, then runs this).

Over real HTTP to gunicorn, as a browser behind the TLS proxy would (every request says X-Forwarded-Proto: https;
no Django test client): public pages and the CSS/JS/icon files they name, an Open311 POST and a web-form POST
with a photo, the "received" emails sent by the Celery worker, staff and leader pages after a real login, and
/healthz. Database facts are read through `manage.py shell` (the production settings of the processes).
Exits 1 at the first failure with what was wrong.

    python .ci/prod_smoke.py BASE_URL API_KEY MAIL_DIR
"""
from __future__ import annotations

import http.cookiejar
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from html.parser import HTMLParser
from pathlib import Path


EMAIL_BOUND = 60  # seconds for the worker to send a report's "received" email
PASSWORD = "ihanoi-demo-2025"  # create_demo_accounts
PUBLIC_PAGES = ["/", "/report/", "/map/", "/board/", "/api/docs/"]
STAFF_PAGES = {"hk_officer": ["/staff/", "/admin/"], "leader": ["/staff/", "/dashboard/", "/admin/", "/board/"]}
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.helpers import jpeg, multipart  # noqa: E402


class Failure(Exception):
    pass


class _TrustProxyCookies(http.cookiejar.DefaultCookiePolicy):
    """Cookies are Secure (production); TLS ends at the (simulated) proxy, so send them over this hop."""

    def return_ok_secure(self, cookie, request):
        return True


class _Assets(HTMLParser):
    """The files a page makes the browser fetch: stylesheets, icons, scripts."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("href") and set((a.get("rel") or "").split()) & {"stylesheet", "icon"}:
            self.urls.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.urls.append(a["src"])


class Browser:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.origin = "https://" + urllib.parse.urlsplit(self.base).netloc
        self.jar = http.cookiejar.CookieJar(policy=_TrustProxyCookies())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, method: str, path: str, *, data: bytes | None = None, headers: dict | None = None,
                expect: int | tuple = 200) -> tuple[int, dict, bytes]:
        url = path if path.startswith("http") else self.base + path
        h = {"X-Forwarded-Proto": "https", "Accept-Language": "vi"} | (headers or {})
        if method == "POST":  # CSRF on a secure request checks Origin/Referer against the host
            h |= {"Origin": self.origin, "Referer": self.origin + urllib.parse.urlsplit(url).path}
        req = urllib.request.Request(url, data=data, method=method, headers=h)
        try:
            with self.opener.open(req, timeout=30) as resp:
                status, hdrs, body = resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as exc:
            status, hdrs, body = exc.code, dict(exc.headers), exc.read()
        expected = expect if isinstance(expect, tuple) else (expect,)
        if status not in expected:
            raise Failure(f"{method} {path} answered {status}, expected {expected}: {body[:600]!r}")
        return status, hdrs, body

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def post_form(self, path: str, fields: dict, files: dict | None = None, *, expect=302):
        fields = {"csrfmiddlewaretoken": self.cookie("csrftoken")} | fields
        if files is None:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            ctype = "application/x-www-form-urlencoded"
        else:
            body, ctype = multipart(fields, files)
        return self.request("POST", path, data=body, headers={"Content-Type": ctype}, expect=expect)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to check, not to follow blindly


def django_facts(code: str) -> dict:
    """Read the database with the processes' own settings (this environment)."""
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    if out.returncode:
        raise Failure(f"manage.py shell failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


CASE_FACTS = """
import json
from feedback.models import Case
c = Case.objects.select_related('agency', 'ward').get(tracking_code=%r)
print(json.dumps({'agency': c.agency.code if c.agency else None, 'ward': c.ward.code if c.ward else None,
                  'due_at': str(c.due_at) if c.due_at else None, 'photos': c.photos.count(),
                  'outbox': sorted(c.outbox.filter(recipient=%r).values_list('status', flat=True))}))
"""


def check_page(browser: Browser, path: str) -> int:
    _s, hdrs, body = browser.get(path)
    if not hdrs.get("Content-Type", "").startswith("text/html"):
        raise Failure(f"{path}: Content-Type {hdrs.get('Content-Type')}")
    parser = _Assets()
    parser.feed(body.decode("utf-8", "replace"))
    for url in parser.urls:
        if urllib.parse.urlsplit(url).netloc:
            raise Failure(f"{path} loads {url} from another site")
        browser.get(url)
    return len(parser.urls)


def main(base: str, api_key: str, mail_dir: str) -> None:
    t0 = time.monotonic()
    web = Browser(base)
    step = lambda msg: print(f"  [{time.monotonic() - t0:5.1f}s] {msg}", flush=True)  # noqa: E731

    health = json.loads(web.get("/healthz")[2])
    if health != {"status": "ok", "db": "ok", "broker": "ok", "cache": "ok"}:
        raise Failure(f"/healthz: {health}")
    step(f"/healthz {health}")
    _s, hdrs, body = web.get("/favicon.ico")
    if not hdrs.get("Content-Type", "").startswith("image/"):
        raise Failure(f"/favicon.ico: Content-Type {hdrs.get('Content-Type')}")
    for path in PUBLIC_PAGES:
        step(f"{path} 200 and its {check_page(web, path)} CSS/JS/icon files 200")
    # the offline form: the service worker (its precache list names hashed static files) and the app manifest
    _s, hdrs, body = web.get("/sw.js")
    if "javascript" not in hdrs.get("Content-Type", ""):
        raise Failure(f"/sw.js: Content-Type {hdrs.get('Content-Type')}")
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", body.decode()).group(1))
    for url in precache:
        web.get(url)
    manifest = json.loads(web.get("/manifest.webmanifest")[2])
    for icon in manifest["icons"]:
        web.get(icon["src"])
    step(f"/sw.js and its {len(precache)} precached files 200; /manifest.webmanifest and its icons 200")

    # Open311 POST from a partner system
    email_api = f"open311-{uuid.uuid4().hex[:8]}@example.com"
    _s, _h, body = web.request("POST", "/api/georeport/v2/requests.json", data=urllib.parse.urlencode({
        "api_key": api_key, "jurisdiction_id": "hanoi", "service_code": "waste", "lat": "21.0288",
        "long": "105.8525", "description": "Rác tồn đọng ba ngày trước số 12 Hàng Bài (smoke test)",
        "email": email_api, "first_name": "Lan", "last_name": "Nguyễn"}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"}, expect=201)
    code_api = json.loads(body)[0]["service_request_id"]
    step(f"Open311 POST 201 → {code_api}")

    # the web form with a photo, as a citizen's browser sends it
    page = web.get("/report/")[2].decode()
    topics = re.findall(r'<option value="([^"]+)"', page.split('name="topic"', 1)[1].split("</select>", 1)[0])
    if not topics:
        raise Failure("/report/: no topic to choose")
    email_web = f"web-{uuid.uuid4().hex[:8]}@example.com"
    _s, hdrs, _b = web.post_form("/report/", {
        "topic": topics[0], "description": "Đèn đường trước số 12 Hàng Bài tắt cả tuần (smoke test)",
        "latitude": "21.0288", "longitude": "105.8525", "name": "Minh", "email": email_web,
    }, {"photos": ("street.jpg", jpeg(320, 240), "image/jpeg")})
    code_web = hdrs["Location"].rstrip("/").rsplit("/", 1)[-1]
    step(f"web form POST with a photo 302 → {hdrs['Location']}")

    for code in (code_api, code_web):
        step(f"/track/{code}/ 200 and its {check_page(web, f'/track/{code}/')} CSS/JS/icon files 200")

    # stored and routed at once; "received" email sent by the worker within the bound
    for code, email, photos in ((code_api, email_api, 0), (code_web, email_web, 1)):
        deadline = time.monotonic() + EMAIL_BOUND
        while True:
            facts = django_facts(CASE_FACTS % (code, email))
            if not (facts["agency"] and facts["ward"] and facts["due_at"]):
                raise Failure(f"{code} stored but not routed: {facts}")
            if facts["photos"] < photos:
                raise Failure(f"{code}: photo not stored: {facts}")
            if facts["outbox"] and set(facts["outbox"]) == {"sent"}:
                break
            if time.monotonic() > deadline:
                raise Failure(f"{code}: email to {email} not sent by the worker within {EMAIL_BOUND}s: {facts}")
            time.sleep(1)
        mails = [p for p in Path(mail_dir).glob("*") if email in p.read_text(errors="replace")]
        if not mails:
            raise Failure(f"{code}: outbox says sent but no email to {email} in {mail_dir}")
        step(f"{code} stored, routed to {facts['agency']} (ward {facts['ward']}), {facts['photos']} photo(s), "
             f"email to {email} sent by the worker")

    # staff and leader pages after a real login
    for username, pages in STAFF_PAGES.items():
        staff = Browser(base)
        staff.get("/accounts/login/")
        _s, hdrs, _b = staff.post_form("/accounts/login/", {"username": username, "password": PASSWORD})
        if not staff.cookie("sessionid"):
            raise Failure(f"login as {username}: no session ({hdrs.get('Location')})")
        for path in pages:
            step(f"{username}: {path} 200 and its {check_page(staff, path)} CSS/JS/icon files 200")

    health = json.loads(web.get("/healthz")[2])
    if health["db"] != "ok" or health["broker"] != "ok":
        raise Failure(f"/healthz at the end: {health}")
    step(f"/healthz {health}")


if __name__ == "__main__":
    try:
        main(*sys.argv[1:4])
    except Failure as exc:
        print(f"SMOKE FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
    print("smoke: all checks passed")
