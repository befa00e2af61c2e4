"""Old (pre-July 2025) addresses: every row of the shipped mapping file, read by the parser directly."""
import csv
import json
from collections import defaultdict

import pytest

from agencies.addresses import AddressReader, old_address_hint, place_from_address, strip_diacritics
from agencies.models import OldUnit, WardKind
from agencies.seed import OLD_UNITS_CSV, WARDS_GEOJSON, read_old_units

ABBREVIATIONS = {"phường": "P.", "xã": "X.", "thị trấn": "TT.", "quận": "Q.", "huyện": "H.", "thị xã": "TX."}


def _units() -> dict[str, dict]:
    """The file's old units: code → name, kind, district, district kind and {new code: whole}."""
    units: dict[str, dict] = {}
    with OLD_UNITS_CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            unit = units.setdefault(row["old_code"], {**row, "new": {}})
            unit["new"][row["new_code"]] = row["whole"] == "1"
    return units


UNITS = _units()
ROWS = sum(len(u["new"]) for u in UNITS.values())


@pytest.fixture(scope="module")
def reader():
    """The parser built straight from the shipped files (no database: these tests run in any order)."""
    kinds = {"phường": WardKind.WARD, "xã": WardKind.COMMUNE}
    wards = [(f["properties"]["code"], f["properties"]["name"], kinds[f["properties"]["kind"]])
             for f in json.loads(WARDS_GEOJSON.read_text(encoding="utf-8"))["features"]]
    return AddressReader(wards, [(r["old_code"], r["old_name"], r["old_kind"], r["old_district"],
                                  r["old_district_kind"], r["new_code"], r["whole"]) for r in read_old_units()])


def _address(unit: dict, form: str) -> str:
    if form == "abbreviated":  # "P. Hàng Bài, Q. Hoàn Kiếm"
        return (f"{ABBREVIATIONS[unit['old_kind']]} {unit['old_name']}, "
                f"{ABBREVIATIONS[unit['old_district_kind']]} {unit['old_district']}")
    address = f"Số 1, {unit['old_kind']} {unit['old_name']}, {unit['old_district_kind']} {unit['old_district']}, Hà Nội"
    return strip_diacritics(address.lower()) if form == "no diacritics" else address


class EveryRowTests:
    def test_the_file_is_the_one_described(self):
        assert (ROWS, len(UNITS)) == (795, 526)
        assert sum(1 for u in UNITS.values() if len(u["new"]) > 1) == 199

    @pytest.mark.parametrize("form", ["full", "no diacritics", "abbreviated"])
    @pytest.mark.parametrize("code", sorted(UNITS))
    def test_old_unit_with_its_district(self, reader, code, form):
        unit = UNITS[code]
        reading = reader.read(_address(unit, form))
        assert reading.old is not None and [u.code for u in reading.old.units] == [code]
        if len(unit["new"]) == 1:  # whole into one new ward: routed there
            assert list(unit["new"].values()) == [True]
            assert (reading.ward_code, reading.candidate_codes) == (next(iter(unit["new"])), ())
        else:  # split: no ward, the candidates are exactly the file's new wards for that unit
            assert not any(unit["new"].values())
            assert reading.ward_code is None
            assert set(reading.candidate_codes) == set(unit["new"])

    @pytest.mark.django_db
    def test_every_row_is_loaded(self):
        loaded = {(code, ward) for code, ward in OldUnit.objects.values_list("old_code", "ward__code")}
        assert loaded == {(code, new) for code, u in UNITS.items() for new in u["new"]}
        assert OldUnit.objects.filter(whole=True).count() == 327


def _shared_names() -> dict[tuple[str, str], list[str]]:
    by_name = defaultdict(list)
    for code, u in UNITS.items():
        by_name[(u["old_kind"], u["old_name"])].append(code)
    return {k: v for k, v in by_name.items() if len(v) > 1}


SHARED = _shared_names()


class SharedNameTests:
    def test_fourteen_names_are_shared(self):
        assert len(SHARED) == 14

    @pytest.mark.parametrize("kind, name", sorted(SHARED))
    def test_the_old_district_tells_them_apart(self, reader, kind, name):
        for code in SHARED[(kind, name)]:
            reading = reader.read(f"{kind} {name}, {UNITS[code]['old_district_kind']} {UNITS[code]['old_district']}")
            assert [u.code for u in reading.old.units] == [code]

    @pytest.mark.parametrize("kind, name", sorted(SHARED))
    def test_without_the_district_every_unit_is_a_candidate(self, reader, kind, name):
        reading = reader.read(f"Thôn 2, {kind} {name}, Hà Nội")
        if reader.wards.match(f"{kind} {name}"):  # also a new ward's name: the new ward wins
            assert reading.old is None and reading.ward_code
            return
        assert reading.ward_code is None
        assert sorted(u.code for u in reading.old.units) == sorted(SHARED[(kind, name)])
        assert set(reading.candidate_codes) == {new for c in SHARED[(kind, name)] for new in UNITS[c]["new"]}


class PrecedenceTests:
    @pytest.mark.parametrize("address, ward", [
        ("phường Cửa Nam", "00082"),  # the new Cửa Nam: an address without district is read as current
        ("phường Hoàn Kiếm, quận Hoàn Kiếm", "00070"),  # there was no old phường Hoàn Kiếm
        ("phường Tràng Tiền, quận Hoàn Kiếm, nay là phường Hoàn Kiếm", "00070"),  # the citizen says which part
        ("phường Hàng Bài, P. Cửa Nam", "00082"),
        ("xã Hòa Phú", "10096"),  # the new xã Hòa Phú (old xã Hòa Phú of Chương Mỹ), not the old one of Ứng Hòa
        ("xã Hoà Phú, huyện Ứng Hoà", "10417"),  # the old one of Ứng Hòa went whole into Hòa Xá
    ])
    def test_routed(self, reader, address, ward):
        assert reader.read(address).ward_code == ward

    def test_old_name_with_its_district_beats_the_same_new_name(self, reader):
        reading = reader.read("phường Cửa Nam, quận Hoàn Kiếm")  # the old Cửa Nam, split in four
        assert reading.ward_code is None
        assert reading.candidate_codes == ("00004", "00070", "00082", "00226")

    def test_a_district_that_fits_no_unit_of_that_name_routes_nowhere(self, reader):
        reading = reader.read("phường Hàng Bài, quận Ba Đình")
        assert reading.ward_code is None and reading.old.district_mismatch
        assert reading.candidate_codes == ("00082",)

    @pytest.mark.parametrize("address", [
        "12 Hàng Bài, Hoàn Kiếm",  # no prefix: a street
        "phố Tràng Tiền",
        "phường Tràng Tiền Plaza",  # the name runs into another word
        "thị xã Sơn Tây",  # a district, not a unit
    ])
    def test_no_old_unit(self, reader, address):
        assert reader.read(address).old is None


@pytest.mark.django_db
class PlaceAndHintTests:
    def test_split_unit_hint_in_vietnamese_and_english(self, settings):
        from django.utils import translation

        place = place_from_address("phường Tràng Tiền, quận Hoàn Kiếm")
        assert place.ward is None and place.needs_pin
        assert [w.full_name for w in place.candidates] == ["Phường Hoàn Kiếm", "Phường Cửa Nam"]
        with translation.override("vi"):
            assert old_address_hint(place).startswith("Tràng Tiền (cũ) nay thuộc Phường Hoàn Kiếm hoặc Phường Cửa Nam.")
        with translation.override("en"):
            assert old_address_hint(place).startswith(
                "Tràng Tiền (old) is now part of Phường Hoàn Kiếm or Phường Cửa Nam. Place the pin")

    def test_whole_unit_gives_the_ward_and_a_plain_note(self):
        from django.utils import translation

        place = place_from_address("P. Hàng Bài, Q. Hoàn Kiếm")
        assert place.ward.full_name == "Phường Cửa Nam" and not place.needs_pin
        with translation.override("vi"):
            assert old_address_hint(place) == "Hàng Bài (cũ) nay thuộc Phường Cửa Nam."

    def test_new_ward_has_no_hint(self):
        place = place_from_address("P. Hoàn Kiếm")
        assert place.ward.code == "00070" and place.old is None and old_address_hint(place) == ""

    def test_the_reader_follows_a_bulk_change_of_the_old_units(self):
        """`load_hanoi` writes old units in bulk (no post_save): the process's reader is rebuilt all the same."""
        assert place_from_address("P. Hàng Bài, Q. Hoàn Kiếm").ward.full_name == "Phường Cửa Nam"
        OldUnit.objects.filter(old_name="Hàng Bài").update(old_name="Hàng Bài Cũ")
        assert place_from_address("P. Hàng Bài, Q. Hoàn Kiếm").old is None
        assert place_from_address("P. Hàng Bài Cũ, Q. Hoàn Kiếm").ward.full_name == "Phường Cửa Nam"
