"""Ward lookup by point: shapely 2 STRtree over prepared, full-precision ward polygons (no Django import).

A lookup first looks at a coarse grid built with the index: a cell that lies wholly inside one ward (and touches
no other) answers at once, a cell that touches no ward answers "no ward", and only a point in a cell that a
border crosses is tested against the exact polygons of the few wards touching that cell. Borders are never
simplified: the grid only decides which exact tests are needed.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.strtree import STRtree

CELL_DEGREES = 0.01  # about 1.1 km x 1.0 km in Hanoi: ~6,000 cells, built in ~0.15 s

_EMPTY, _MIXED = -1, -2


class WardIndex:
    """Point → ward code. On a shared border (and in the 0.3 m² overlap) the lowest code wins."""

    def __init__(self, items: Iterable[tuple[str, object]], *, cell: float = CELL_DEGREES):
        pairs = sorted(((code, g if hasattr(g, "geom_type") else shape(g)) for code, g in items), key=lambda p: p[0])
        self.codes: list[str] = [c for c, _ in pairs]
        self.geoms = np.array([g for _, g in pairs], dtype=object)
        shapely.prepare(self.geoms)
        self.tree = STRtree(self.geoms)
        self._code_array = np.array([*self.codes, None], dtype=object)  # index -1 → None
        self._build_grid(cell)

    def _build_grid(self, cell: float) -> None:
        self.cell = cell
        if not self.codes:
            self.x0 = self.y0 = 0.0
            self.nx = self.ny = 0
            self.grid = np.zeros(0, dtype=np.int32)
            self._starts = self._counts = self._cand = np.zeros(0, dtype=np.int64)
            self._cells: list = []
            return
        self.x0, self.y0, x1, y1 = (float(v) for v in shapely.total_bounds(self.geoms))
        self.nx = max(1, math.ceil((x1 - self.x0) / cell))
        self.ny = max(1, math.ceil((y1 - self.y0) / cell))
        ii, jj = np.meshgrid(np.arange(self.nx), np.arange(self.ny))
        ii, jj = ii.ravel(), jj.ravel()  # cell k = j * nx + i
        boxes = shapely.box(self.x0 + ii * cell, self.y0 + jj * cell, self.x0 + (ii + 1) * cell,
                            self.y0 + (jj + 1) * cell)
        cell_idx, geom_idx = self.tree.query(boxes, predicate="intersects")
        order = np.lexsort((geom_idx, cell_idx))
        cell_idx, geom_idx = cell_idx[order], geom_idx[order]
        counts = np.bincount(cell_idx, minlength=len(boxes))
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        grid = np.full(len(boxes), _EMPTY, dtype=np.int32)
        grid[counts > 0] = _MIXED
        single = np.flatnonzero(counts == 1)
        only = geom_idx[starts[single]]
        inside = shapely.within(boxes[single], self.geoms[only])
        grid[single[inside]] = only[inside]
        self.grid = grid
        self._starts, self._counts, self._cand = starts, counts, geom_idx
        # Python-level copy for single lookups: an int (the ward), None (no ward) or a tuple of candidates.
        cells: list = [None] * len(boxes)
        for k in np.flatnonzero(grid >= 0).tolist():
            cells[k] = int(grid[k])
        for k in np.flatnonzero(grid == _MIXED).tolist():
            cells[k] = tuple(geom_idx[starts[k]:starts[k] + counts[k]].tolist())
        self._cells = cells

    @classmethod
    def from_geojson_file(cls, path: str | Path) -> "WardIndex":
        features = json.loads(Path(path).read_text(encoding="utf-8"))["features"]
        return cls((f["properties"]["code"], f["geometry"]) for f in features)

    def __len__(self) -> int:
        return len(self.codes)

    def lookup(self, lat: float, lon: float) -> str | None:
        """The code of the ward containing (lat, lon), or None outside every ward."""
        x, y = (lon - self.x0) / self.cell, (lat - self.y0) / self.cell
        if not (0.0 <= x < self.nx and 0.0 <= y < self.ny):  # also False for NaN
            return None
        found = self._cells[int(y) * self.nx + int(x)]
        if found is None or found.__class__ is int:
            return None if found is None else self.codes[found]
        for i in found:  # ascending: the lowest code wins on a border
            if shapely.intersects_xy(self.geoms[i], lon, lat):
                return self.codes[i]
        return None

    def lookup_many(self, lats, lons) -> list[str | None]:
        """Vectorised lookup: same answers as `lookup` for each (lat, lon) pair."""
        lats, lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
        result = np.full(len(lats), _EMPTY, dtype=np.int64)
        x, y = (lons - self.x0) / self.cell, (lats - self.y0) / self.cell
        ok = np.flatnonzero((x >= 0) & (x < self.nx) & (y >= 0) & (y < self.ny))
        result[ok] = self.grid[y[ok].astype(np.int64) * self.nx + x[ok].astype(np.int64)]
        mixed = np.flatnonzero(result == _MIXED)
        result[mixed] = _EMPTY
        if len(mixed):
            self._resolve_mixed(result, mixed, lats[mixed], lons[mixed], x[mixed], y[mixed])
        return self._code_array[result].tolist()

    def _resolve_mixed(self, result, mixed, lats, lons, x, y) -> None:
        """Exact tests for points in border cells: one vectorised prepared test per candidate ward."""
        cells = y.astype(np.int64) * self.nx + x.astype(np.int64)
        counts = self._counts[cells]
        point = np.repeat(np.arange(len(mixed)), counts)  # (point, candidate) pairs, candidates ascending
        first = np.repeat(self._starts[cells] - np.cumsum(counts) + counts, counts)
        cand = self._cand[first + np.arange(len(point))]
        hit = np.zeros(len(point), dtype=bool)
        order = np.argsort(cand, kind="stable")
        wards, bounds = np.unique(cand[order], return_index=True)
        for g, lo, hi in zip(wards.tolist(), bounds.tolist(), [*bounds[1:].tolist(), len(order)]):
            sel = order[lo:hi]
            hit[sel] = shapely.intersects_xy(self.geoms[g], lons[point[sel]], lats[point[sel]])
        lowest = np.full(len(mixed), len(self.codes), dtype=np.int64)
        np.minimum.at(lowest, point[hit], cand[hit])
        found = lowest < len(self.codes)
        result[mixed[found]] = lowest[found]
