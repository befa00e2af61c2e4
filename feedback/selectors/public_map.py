"""The public map at city scale: the public cases inside a bounding box, clustered in the database on a grid at
low zoom, the cases themselves at street level or when the box holds few.

The grid: a cell is 2^(7 - zoom) degrees on each side (about 90 px on screen at every zoom; a power of two, so
cell edges are exact floats). A box is widened outwards to whole cells (`MapView.covering`), which is also what
lets the cache hit across slightly different viewports. Clusters are one `GROUP BY floor(lat / cell),
floor(lon / cell)` with the count and the members' mean position: plain SQL on SQLite and PostgreSQL, no PostGIS.

Sizes, whatever the number of cases: at most MAX_CELLS cells in a box (the cell doubles until a large box fits)
and at most POINTS_MAX points (the newest), so a response stays well under 100 KB. Public fields only: never the
reporter's name, phone, email or account.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Avg, Count, F, FloatField, Func, QuerySet

from ..models import Case

HANOI_BBOX = (105.28, 20.56, 106.03, 21.39)  # west, south, east, north: the wards of 1 July 2025
DEFAULT_ZOOM = 11  # the whole city on a laptop screen
MIN_ZOOM, MAX_ZOOM = 0, 22
POINTS_ZOOM = 17  # from this zoom on: the cases themselves, the newest POINTS_MAX of the box
POINTS_MAX = 500  # …and at any zoom when the box holds no more than this
MAX_CELLS = 1024  # grid cells per box (32 × 32)


def cell_for(zoom: int) -> float:
    """The grid's cell, in degrees, at `zoom`."""
    return 2.0 ** (7 - zoom)


@dataclass(frozen=True)
class MapView:
    """A box in whole grid cells: longitudes [x0·cell, x1·cell), latitudes [y0·cell, y1·cell)."""

    zoom: int
    cell: float
    x0: int
    y0: int
    x1: int
    y1: int

    @classmethod
    def covering(cls, *, west: float, south: float, east: float, north: float, zoom: int) -> MapView:
        """The smallest box of whole cells around (west, south, east, north); west < east and south < north."""
        cell = cell_for(zoom)
        while True:
            x0, x1 = math.floor(west / cell), math.ceil(east / cell)
            y0, y1 = math.floor(south / cell), math.ceil(north / cell)
            if (x1 - x0) * (y1 - y0) <= MAX_CELLS:
                return cls(zoom=zoom, cell=cell, x0=x0, y0=y0, x1=x1, y1=y1)
            cell *= 2  # a large box for its zoom: wider cells, never more of them

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.x0 * self.cell, self.y0 * self.cell, self.x1 * self.cell, self.y1 * self.cell)

    @property
    def shows_points(self) -> bool:
        return self.zoom >= POINTS_ZOOM

    def key(self) -> str:
        return f"{self.zoom}:{self.cell!r}:{self.x0}:{self.y0}:{self.x1}:{self.y1}"


@dataclass(frozen=True)
class MapCases:
    """What the map shows in a box: `total` cases, as `clusters` (lat, lon, count) or as `points`."""

    total: int
    clusters: list[tuple[float, float, int]]
    points: list[tuple]  # (code, lat, lon, status, topic name, ward name or None, received_at), newest first
    truncated: bool  # more cases in the box than points shown (street level only)


class _Cell(Func):
    """floor(column / cell) with the cell written into the SQL as a literal: the same text in SELECT and GROUP
    BY (a bound parameter would be two placeholders there, which PostgreSQL refuses to match)."""

    output_field = FloatField()

    def __init__(self, column: str, cell: float):
        super().__init__(F(column), template=f"FLOOR(%(expressions)s / {float(cell)!r})")


def map_cases(qs: QuerySet[Case], view: MapView, *, language: str = "vi") -> MapCases:
    """The cases of `qs` (public_cases(), filtered) in `view`: one query for the grid, one more for points."""
    west, south, east, north = view.bbox
    inside = qs.order_by().filter(latitude__gte=south, latitude__lt=north, longitude__gte=west, longitude__lt=east)
    cells = sorted(
        (round(lat, 5), round(lon, 5), n)
        for lat, lon, n in inside.values(cy=_Cell("latitude", view.cell), cx=_Cell("longitude", view.cell))
        .annotate(n=Count("*"), lat=Avg("latitude"), lon=Avg("longitude")).values_list("lat", "lon", "n")
    )
    total = sum(n for _lat, _lon, n in cells)
    if total == 0 or (total > POINTS_MAX and not view.shows_points):
        return MapCases(total=total, clusters=cells, points=[], truncated=False)
    topic = "topic__name_en" if language.startswith("en") else "topic__name_vi"
    points = list(
        inside.order_by("-received_at", "-pk")
        .values_list("tracking_code", "latitude", "longitude", "status", topic, "ward__full_name", "received_at")
        [:POINTS_MAX]
    )
    return MapCases(total=total, clusters=[], points=points, truncated=total > len(points))
