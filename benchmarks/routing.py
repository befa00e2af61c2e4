"""Benchmark of the ward lookup: `python -m benchmarks.routing [--points N] [--seed S] [--db]`.

Prints the index load time and points/second + µs/point for single lookups and for the vectorised
`lookup_many`, over N random points in Hanoi's bounding box (one process, one core). With `--db` it also
loads the index from the database (Django settings from the environment) and times `ward_at`, which adds the
ward-version check and the Ward row fetch. A benchmark, not a test: it prints figures and never fails on them.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from agencies.geo import WardIndex

WARDS_GEOJSON = Path(__file__).resolve().parents[1] / "agencies" / "data" / "hanoi-wards-2025.geojson"
# Hanoi's bounding box (lon 105.2854–106.0201, lat 20.5643–21.3854; /work/shared/data/README.md)
BBOX = (105.2854, 20.5643, 106.0201, 21.3854)
TARGET_POINTS_PER_SECOND = 50_000


def _rate(label: str, n: int, seconds: float) -> None:
    print(f"{label:<34} {n / seconds:>12,.0f} points/s {seconds / n * 1e6:>9.2f} µs/point")


def random_points(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(BBOX[1], BBOX[3], n), rng.uniform(BBOX[0], BBOX[2], n)


def bench_index(index: WardIndex, lats: np.ndarray, lons: np.ndarray) -> None:
    n = len(lats)
    pairs = list(zip(lats.tolist(), lons.tolist()))
    lookup = index.lookup
    start = time.perf_counter()
    single = [lookup(lat, lon) for lat, lon in pairs]
    single_s = time.perf_counter() - start
    start = time.perf_counter()
    many = index.lookup_many(lats, lons)
    many_s = time.perf_counter() - start
    inside = sum(code is not None for code in single)
    print(f"{n:,} random points in the bounding box, {inside:,} inside a ward ({inside / n:.1%})")
    _rate("single lookup(lat, lon)", n, single_s)
    _rate("vectorised lookup_many", n, many_s)
    print("single and vectorised answers agree:", "yes" if single == many else "NO")
    verdict = "met" if n / single_s >= TARGET_POINTS_PER_SECOND else "NOT met"
    print(f"target ≥ {TARGET_POINTS_PER_SECOND:,} points/s (≤ 20 µs/point) on single lookups: {verdict}")


def bench_db(lats: np.ndarray, lons: np.ndarray, n: int) -> None:
    import django

    django.setup()
    from agencies import geo
    from agencies.selectors import ward_at, ward_index

    geo._cache.clear()
    start = time.perf_counter()
    ward_index()
    print(f"index load from the database: {time.perf_counter() - start:.3f} s")
    start = time.perf_counter()
    for lat, lon in zip(lats[:n].tolist(), lons[:n].tolist()):
        ward_at(lat=lat, lon=lon)
    _rate(f"ward_at() with DB row, {n:,} points", n, time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--db", action="store_true", help="also load from the database and time ward_at()")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    index = WardIndex.from_geojson_file(WARDS_GEOJSON)
    load_s = time.perf_counter() - start
    print(f"index load: {len(index)} wards, grid {index.nx}x{index.ny} cells of {index.cell}°, {load_s:.3f} s")
    lats, lons = random_points(args.points, args.seed)
    bench_index(index, lats, lons)
    if args.db:
        import os

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ihanoi.settings.development")
        bench_db(lats, lons, min(args.points, 5_000))


if __name__ == "__main__":
    main()
