"""The ward map: every ward's simplified boundary with its on-time figures, as GeoJSON (counts only)."""
import hashlib
import json

from django.core.cache import cache
from django.db.models import Count, Max

from agencies.models import Ward

from .cache import CACHE_TTL, _cache_key
from .results import Figures, Table


MAP_TOLERANCE = 0.0004  # degrees (~40 m): plenty for a city-wide choropleth, a fraction of the full size
_shapes: dict = {}


def _ward_shapes() -> list[dict]:
    """The 126 wards' boundaries simplified for display (topology kept), rebuilt only when a ward changes."""
    from shapely.geometry import mapping, shape

    version = tuple(Ward.objects.aggregate(n=Count("id"), last=Max("updated_at")).values())
    if _shapes.get("version") != version:
        _shapes["features"] = [
            {"id": pk, "code": code, "name": name,
             "geometry": mapping(shape(boundary).simplify(MAP_TOLERANCE, preserve_topology=True))}
            for pk, code, name, boundary in Ward.objects.order_by("code").values_list(
                "pk", "code", "full_name", "boundary")
        ]
        _shapes["version"] = version
    return _shapes["features"]


def ward_map(ward_table: Table) -> bytes:
    """GeoJSON of every ward with its on-time figures (counts only), cached with the figures' version."""
    key = _cache_key("map", ward_table.period.key(), hashlib.sha1(repr(
        [(r.key, r.figures) for r in ward_table.rows]).encode()).hexdigest())
    found = cache.get(key)
    if found is not None:
        return found
    by_ward = {r.key: r.figures for r in ward_table.rows}
    features = []
    for w in _ward_shapes():
        f = by_ward.get(w["id"], Figures())
        features.append({"type": "Feature", "geometry": w["geometry"], "properties": {
            "code": w["code"], "name": w["name"], "received": f.received, "on_time": f.on_time, "late": f.late,
            "pending": f.pending, "overdue": f.overdue,
            "on_time_rate": None if f.on_time_rate is None else round(f.on_time_rate, 4)}})
    payload = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                         separators=(",", ":")).encode()
    cache.set(key, payload, CACHE_TTL)
    return payload
