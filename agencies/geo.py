"""Ward lookup by point: shapely 2 STRtree over prepared, full-precision ward polygons (no Django import)."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.strtree import STRtree


class WardIndex:
    def __init__(self, items: Iterable[tuple[str, object]]):
        pairs = sorted(((code, g if hasattr(g, "geom_type") else shape(g)) for code, g in items), key=lambda p: p[0])
        self.codes = np.array([c for c, _ in pairs], dtype=object)
        self.geoms = np.array([g for _, g in pairs], dtype=object)
        shapely.prepare(self.geoms)
        self.tree = STRtree(self.geoms)

    @classmethod
    def from_geojson_file(cls, path: str | Path) -> "WardIndex":
        features = json.loads(Path(path).read_text(encoding="utf-8"))["features"]
        return cls((f["properties"]["code"], f["geometry"]) for f in features)

    def __len__(self) -> int:
        return len(self.codes)

    def lookup(self, lat: float, lon: float) -> str | None:
        for i in sorted(self.tree.query(shapely.Point(lon, lat), predicate="intersects")):
            return self.codes[i]
        return None

    def lookup_many(self, lats, lons) -> list[str | None]:
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        point_idx, geom_idx = self.tree.query(points, predicate="intersects")
        out: list[str | None] = [None] * len(points)
        for p, g in sorted(zip(point_idx.tolist(), geom_idx.tolist()), reverse=True):
            out[p] = self.codes[g]  # lowest ward index wins on a shared border
        return out


_lock = threading.Lock()
_cache: dict = {}


def get_index(loader: Callable[[], Iterable[tuple[str, object]]], version: object) -> WardIndex:
    """The process-wide index, rebuilt only when `version` changes."""
    with _lock:
        if _cache.get("version") != version or "index" not in _cache:
            _cache["index"] = WardIndex(loader())
            _cache["version"] = version
        return _cache["index"]
