"""/map/points.json: the request's box and zoom read and checked, the compact answer, its cache and its ETag.

`?bbox=west,south,east,north&zoom=Z` (both optional: the whole city at DEFAULT_ZOOM) plus the page's filters
(topic, status, ward). A bad box or zoom is a 400 with `{"error": message}` in the visitor's language.

The answer is compact: clusters as [lat, lon, count], points as [code, lat, lon, status index, topic index, ward
index or null, "YYYY-MM-DD"], the status labels, topic and ward names listed once, the tracking URL as a template
("/track/{code}/"). Cached in Redis under (box in whole cells, zoom, filters, language) with the version it was
computed for: `dashboard.cache.current_version()`, replaced on every case write, read in the same round trip
(`get_with_version`), so a change shows on the next read. The body's hash is its ETag (304 on If-None-Match);
`Cache-Control: public, max-age=MAX_AGE` lets a browser or proxy keep it briefly. Redis down: the cache answers
as a miss (ihanoi/cache.py), the map is computed from the database (the ETag, a hash of the body, still holds).
"""
from __future__ import annotations

import hashlib
import json
import math

from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dashboard.cache import get_with_version

from . import selectors
from .lifecycle import CaseStatus
from .selectors.public_map import DEFAULT_ZOOM, HANOI_BBOX, MAX_ZOOM, MIN_ZOOM, MapView

CACHE_TTL = 300  # seconds in Redis; the version token makes case writes visible at once
MAX_AGE = 10  # seconds a browser or shared cache may reuse an answer without asking
FILTERS = ("topic", "status", "ward")


class BadMapQuery(ValueError):
    """The box or zoom cannot be read; the message is for the visitor."""


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def map_view(params) -> MapView:
    """The grid box for the query string's `bbox` and `zoom`; BadMapQuery with a translated message."""
    raw_zoom = params.get("zoom", "").strip()
    try:
        zoom = int(raw_zoom) if raw_zoom else DEFAULT_ZOOM
    except ValueError:
        zoom = None
    if zoom is None or not MIN_ZOOM <= zoom <= MAX_ZOOM:
        raise BadMapQuery(_("The zoom must be a whole number from %(min)d to %(max)d.")
                          % {"min": MIN_ZOOM, "max": MAX_ZOOM})
    raw_bbox = params.get("bbox", "").strip()
    try:
        west, south, east, north = (_number(x) for x in raw_bbox.split(",")) if raw_bbox else HANOI_BBOX
    except ValueError:
        raise BadMapQuery(_("The bounding box must be four numbers: west,south,east,north.")) from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise BadMapQuery(_("The bounding box must have west < east within -180…180 and south < north "
                            "within -90…90."))
    return MapView.covering(west=west, south=south, east=east, north=north, zoom=zoom)


def map_filters(params) -> dict[str, str]:
    return {k: params.get(k, "").strip() for k in FILTERS}


def _payload(view: MapView, filters: dict[str, str], language: str) -> dict:
    found = selectors.map_cases(selectors.public_cases(**filters), view, language=language)
    statuses = [value for value, _label in CaseStatus.choices]
    status_index = {value: i for i, value in enumerate(statuses)}
    topics: dict[str, int] = {}
    wards: dict[str, int] = {}
    tz = timezone.get_current_timezone()
    points = [
        [code, round(lat, 6), round(lon, 6), status_index.get(status, -1), topics.setdefault(topic, len(topics)),
         None if ward is None else wards.setdefault(ward, len(wards)), received.astimezone(tz).date().isoformat()]
        for code, lat, lon, status, topic, ward, received in found.points
    ]
    return {
        "zoom": view.zoom, "cell": view.cell, "bbox": list(view.bbox), "total": found.total,
        "truncated": found.truncated, "clusters": [list(c) for c in found.clusters], "points": points,
        "statuses": [[value, str(label)] for value, label in CaseStatus.choices],
        "topics": list(topics), "wards": list(wards),
        "url": reverse("feedback:track", kwargs={"code": "CODE"}).replace("CODE", "{code}"),
    }


def _cache_key(view: MapView, filters: dict[str, str], language: str) -> str:
    raw = "|".join([view.key(), *(filters[k] for k in FILTERS), language])
    return "map:" + hashlib.sha1(raw.encode()).hexdigest()


def points_response(request) -> HttpResponse:
    """The answer to GET /map/points.json (see the module docstring)."""
    try:
        view = map_view(request.GET)
    except BadMapQuery as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    filters = map_filters(request.GET)
    language = get_language() or "vi"
    key = _cache_key(view, filters, language)
    version, entry = get_with_version(key)  # one round trip: the entry holds the version it was computed for
    if entry is None or entry[0] != version:
        body = json.dumps(_payload(view, filters, language), ensure_ascii=False, separators=(",", ":")).encode()
        entry = (version, '"%s"' % hashlib.blake2b(body, digest_size=12).hexdigest(), body)
        cache.set(key, entry, CACHE_TTL)
    _version, etag, body = entry
    response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return get_conditional_response(request, etag=etag, response=response)
