import numpy as np
import pytest
from shapely.geometry import box, mapping

from agencies import geo
from benchmarks.routing import WARDS_GEOJSON, random_points
from agencies.geo import WardIndex
from agencies.models import Ward
from agencies.selectors import ward_at, ward_index

# (lat, lon) → ward code, from /work/shared/data/README.md
LANDMARKS = {
    "Hoàn Kiếm Lake": ((21.0288, 105.8525), "00070"),
    "Hồ Chí Minh Mausoleum": ((21.0368, 105.8347), "00004"),
    "Temple of Literature": ((21.0293, 105.8355), "00226"),
    "West Lake": ((21.0560, 105.8200), "00103"),
    "Nội Bài airport": ((21.2187, 105.8050), "00433"),
    "Sơn Tây citadel": ((21.1390, 105.5050), "09574"),
    "Mỹ Đình stadium": ((21.0205, 105.7640), "00592"),
}


@pytest.fixture(scope="module")
def index():
    return WardIndex.from_geojson_file(WARDS_GEOJSON)


class WardIndexTests:
    @pytest.mark.parametrize("place", LANDMARKS)
    def test_landmarks_fall_in_their_ward(self, index, place):
        (lat, lon), code = LANDMARKS[place]
        assert index.lookup(lat, lon) == code

    def test_outside_every_ward_is_no_ward(self, index):
        assert index.lookup(20.40, 105.90) is None  # south of the city
        assert index.lookup(21.0288, 107.0) is None  # east of the grid
        assert index.lookup(float("nan"), 105.85) is None

    def test_vectorised_lookup_agrees_with_the_exact_polygons(self, index):
        lats, lons = random_points(3000, seed=11)
        exact = []
        for lat, lon in zip(lats, lons):
            hits = index.tree.query(geo.shapely.Point(lon, lat), predicate="intersects")
            exact.append(index.codes[min(hits)] if len(hits) else None)
        assert index.lookup_many(lats, lons) == exact
        assert [index.lookup(a, b) for a, b in zip(lats.tolist(), lons.tolist())] == exact
        assert any(c is None for c in exact) and any(c is not None for c in exact)

    def test_points_a_metre_from_a_border_follow_the_full_precision_polygon(self, index):
        hk = index.geoms[index.codes.index("00070")]
        ring = max(hk.geoms, key=lambda g: g.area).exterior
        checked = 0
        for t in np.linspace(0, 1, 40, endpoint=False):
            a, b = ring.interpolate(t, normalized=True), ring.interpolate(t + 0.001, normalized=True)
            dx, dy = b.x - a.x, b.y - a.y
            norm = (dx * dx + dy * dy) ** 0.5 or 1.0
            for side in (1, -1):  # ~1 m (1e-5°) either side of the border
                lon, lat = a.x - side * dy / norm * 1e-5, a.y + side * dx / norm * 1e-5
                inside = hk.contains(geo.shapely.Point(lon, lat))
                assert (index.lookup(lat, lon) == "00070") == inside
                checked += inside
        assert 0 < checked < 80

    def test_empty_index_finds_nothing(self):
        empty = WardIndex([])
        assert empty.lookup(21.0, 105.8) is None
        assert empty.lookup_many(np.array([21.0]), np.array([105.8])) == [None]

    def test_small_synthetic_wards_share_a_border(self):
        index = WardIndex([("00002", box(1, 0, 2, 1)), ("00001", box(0, 0, 1, 1))], cell=0.3)
        assert index.lookup(0.5, 0.5) == "00001"
        assert index.lookup(0.5, 1.5) == "00002"
        assert index.lookup(0.5, 1.0) == "00001"  # on the shared border the lowest code wins
        assert index.lookup_many([0.5, 0.5, 0.5, 5.0], [0.5, 1.5, 1.0, 0.5]) == ["00001", "00002", "00001", None]


@pytest.mark.django_db
class WardAtTests:
    @pytest.mark.parametrize("place", LANDMARKS)
    def test_landmarks_through_the_database_index(self, place):
        (lat, lon), code = LANDMARKS[place]
        assert ward_at(lat=lat, lon=lon).code == code

    def test_ward_at_returns_the_ward_row(self):
        ward = ward_at(lat=21.0288, lon=105.8525)
        assert ward.code == "00070" and ward.name == "Hoàn Kiếm"
        assert ward_at(lat=20.40, lon=105.90) is None

    def test_index_is_built_once_per_process(self, django_assert_num_queries):
        first = ward_index()
        with django_assert_num_queries(0):
            assert ward_index() is first

    def test_index_is_rebuilt_when_a_ward_changes(self):
        before = ward_index()
        assert before.lookup(20.40, 105.90) is None
        ward = Ward.objects.get(code="10417")
        ward.boundary = mapping(box(105.89, 20.39, 105.91, 20.41))  # move Hòa Xá south, for the test
        ward.save()
        assert ward_index() is not before
        assert ward_at(lat=20.40, lon=105.90).code == "10417"

    def test_index_is_rebuilt_when_a_ward_is_removed(self):
        before = ward_index()
        ward = Ward.objects.get(code="00433")
        ward.rules.all().delete()
        from agencies.models import Agency

        Agency.objects.filter(ward=ward).delete()
        ward.delete()
        assert ward_index() is not before
        assert ward_at(lat=21.2187, lon=105.8050) is None
