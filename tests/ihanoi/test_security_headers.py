"""Security headers and cookies: on production settings (HSTS, CSP, Referrer-Policy, nosniff, frame denial, COOP,
secure cookies), and pages that keep to the CSP in every mode (no inline script without the response's nonce, no
inline event handler, no style attribute)."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model

from agencies.demo import DEMO_PASSWORD, create_demo_accounts
from tests.factories import make_report
from tests.test_settings_modes import DEFAULT, PROD, _run

pytestmark = pytest.mark.django_db

# The CSP (CONTENT_SECURITY_POLICY) is base.py's, the same in every mode.
SECURITY_SETTINGS = re.compile(r"^(SECURE_|SESSION_COOKIE_|CSRF_COOKIE_|LANGUAGE_COOKIE_|X_FRAME_OPTIONS$)")


# Printed by a fresh interpreter on production settings with a deployment's environment (tests/test_settings_modes).
PRINT_SECURITY = (
    "import json, re, django; django.setup(); from django.conf import settings as s; "
    f"print(json.dumps({{n: getattr(s, n) for n in dir(s) if re.match({SECURITY_SETTINGS.pattern!r}, n)}}))"
)


@pytest.fixture(scope="module")
def production_values():
    out = _run(DEFAULT + PRINT_SECURITY, **PROD)
    assert out.returncode == 0, out.stderr
    values = json.loads(out.stdout.strip().splitlines()[-1])
    assert values["SECURE_HSTS_SECONDS"] and values["SESSION_COOKIE_SECURE"]
    return values


@pytest.fixture
def production(settings, production_values):
    """This test's settings take every security value of ihanoi.settings.production, as a deployment has them."""
    for name, value in production_values.items():
        setattr(settings, name, tuple(value) if name == "SECURE_PROXY_SSL_HEADER" else value)


def directives(header: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}


class ProductionHeadersTests:
    def test_a_page_has_every_security_header(self, client, production):
        resp = client.get("/", secure=True)
        assert resp.status_code == 200
        assert resp["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert resp["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert resp["X-Content-Type-Options"] == "nosniff"
        assert resp["X-Frame-Options"] == "DENY"
        assert resp["Cross-Origin-Opener-Policy"] == "same-origin"
        csp = directives(resp["Content-Security-Policy"])
        assert csp["default-src"] == ["'self'"]
        assert csp["script-src"] == ["'self'"]  # no inline script on this page, so no nonce either
        assert csp["style-src"] == ["'self'"]
        assert csp["img-src"] == ["'self'", "data:", "blob:", "https://tile.openstreetmap.org"]
        assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
        assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]

    def test_plain_http_is_redirected_to_https(self, client, production):
        resp = client.get("/report/")
        assert resp.status_code == 301 and resp["Location"].startswith("https://")

    def test_cookies_are_secure_httponly_and_same_site(self, client, production):
        create_demo_accounts()
        csrf = client.get("/accounts/login/", secure=True).cookies["csrftoken"]
        assert csrf["secure"] and csrf["samesite"] == "Lax"
        assert not csrf["httponly"]  # Swagger UI sends it back as X-CSRFToken
        resp = client.post("/accounts/login/", {"username": "leader", "password": DEMO_PASSWORD}, secure=True)
        assert resp.status_code == 302
        session = resp.cookies["sessionid"]
        assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
        lang = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True).cookies["django_language"]
        assert lang["secure"] and lang["httponly"] and lang["samesite"] == "Lax"

    def test_map_tiles_from_a_subdomain_template_are_allowed(self):
        from ihanoi.settings.base import _csp_source

        assert _csp_source("https://{s}.tile.example.vn/{z}/{x}/{y}.png") == "https://*.tile.example.vn"
        assert _csp_source("https://maps.example.vn:8443/t/{z}/{x}/{y}.png") == "https://maps.example.vn:8443"


class _Inline(HTMLParser):
    """Inline scripts (with their nonce), inline event handlers and style attributes of a page."""

    def __init__(self):
        super().__init__()
        self.scripts: list[str | None] = []  # the nonce of each inline executable script
        self.handlers: list[str] = []
        self.styles: list[str] = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.handlers += [f"<{tag} {k}>" for k in a if k.startswith("on")]
        if "style" in a:
            self.styles.append(f"<{tag} style={a['style']!r}>")
        if tag == "script" and "src" not in a and a.get("type") not in ("application/json", "application/ld+json"):
            self.scripts.append(a.get("nonce"))


@pytest.fixture
def pages(client):
    """Every kind of page, as its user sees it: public, citizen, staff, leader, admin, API docs."""
    create_demo_accounts()
    case = make_report(topic_code="waste")
    unpinned = make_report(topic_code="waste", lat=None, lon=None, address="12 Hàng Bài")
    public = ["/", "/report/", "/map/", "/track/", f"/track/{case.tracking_code}/",
              f"/track/{unpinned.tracking_code}/", "/board/", "/accounts/login/", "/api/docs/", "/admin/login/"]
    by_user = {
        "hk_officer": ["/staff/", f"/staff/cases/{case.tracking_code}/", "/staff/extensions/", "/my-reports/"],
        "leader": ["/dashboard/", "/dashboard/cases/"],
    }
    return public, by_user


class PagesKeepToTheCSPTests:
    def _check(self, client, url):
        resp = client.get(url)
        assert resp.status_code == 200, url
        html = resp.content.decode()
        found = _Inline()
        found.feed(html)
        csp = directives(resp["Content-Security-Policy"])
        assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"], url
        assert not found.handlers, (url, found.handlers)
        assert not found.styles, (url, found.styles)
        for nonce in found.scripts:
            assert nonce and f"'nonce-{nonce}'" in csp["script-src"], (url, nonce)
        return found

    def test_public_and_staff_pages(self, client, pages):
        public, by_user = pages
        for url in public:
            self._check(client, url)
        for username, urls in by_user.items():
            client.force_login(get_user_model().objects.get(username=username))
            for url in urls:
                self._check(client, url)

    def test_the_map_set_up_runs_with_the_nonce(self, client, pages):
        found = self._check(client, "/report/")
        assert len(found.scripts) == 1  # django-leaflet's map set-up, with the nonce

    def test_the_admin(self, client, pages):
        user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
        client.force_login(user)
        for url in ["/admin/", "/admin/feedback/case/", "/admin/agencies/topic/add/", "/admin/axes/accessattempt/"]:
            self._check(client, url)
