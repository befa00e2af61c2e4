"""The installable report form: web app manifest, the service worker (at the site root, so its scope is "/"), and
the look-up a phone makes to learn whether a draft it sent while the signal was weak became a case."""
from __future__ import annotations

import hashlib
import json
import uuid

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .services import case_for_key

THEME_COLOR = "#c8102e"
# Files the form needs besides those its page links (the service worker also caches every script and stylesheet
# the page itself names): Leaflet's marker images, which Leaflet only asks for once a pin is placed.
EXTRA_ASSETS = ["leaflet/images/marker-icon.png", "leaflet/images/marker-icon-2x.png",
                "leaflet/images/marker-shadow.png", "icons/icon-192.png"]


@require_GET
def manifest(request):
    data = {
        "name": _("iHanoi · Report a problem"), "short_name": "iHanoi",
        "description": _("Report a problem in Hanoi, even with a weak signal."),
        "start_url": reverse("feedback:report"), "scope": "/", "display": "standalone",
        "theme_color": THEME_COLOR, "background_color": "#ffffff",
        "icons": [{"src": static(f"icons/icon-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png",
                   "purpose": "any"} for n in (192, 512)],
    }
    resp = HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")
    resp["Cache-Control"] = "no-cache"
    return resp


def precache_urls() -> list[str]:
    return [reverse("feedback:report"), "/favicon.ico", reverse("offline:manifest"),
            *(static(a) for a in EXTRA_ASSETS)]


@require_GET
def service_worker(request):
    urls = precache_urls()
    body = (f"const PRECACHE = {json.dumps(urls)};\n"
            f"const FORM_URL = {json.dumps(reverse('feedback:report'))};\n"
            f"const STATIC_URL = {json.dumps(settings.STATIC_URL)};\n"
            f"const VERSION = {json.dumps(hashlib.sha256(json.dumps(urls).encode()).hexdigest()[:12])};\n"
            + SW_BODY)
    resp = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    resp["Cache-Control"] = "no-cache"  # the browser checks for a new worker on every visit
    resp["Service-Worker-Allowed"] = "/"
    return resp


@require_GET
def sent(request, key: uuid.UUID):
    """{"tracking_code", "url"} of the case filed under this key, or 404: a draft sent while the page went away."""
    case = case_for_key(key)
    if case is None:
        raise Http404
    return JsonResponse({"tracking_code": case.tracking_code, "url": case.get_absolute_url()})


with open(__file__.replace("views.py", "sw_body.js"), encoding="utf-8") as _f:
    SW_BODY = _f.read()
