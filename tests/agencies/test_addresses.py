import unicodedata

import pytest

from agencies.addresses import AddressMatcher, normalise, ward_from_address
from agencies.models import Ward

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def matcher(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return AddressMatcher(Ward.objects.values_list("code", "name", "kind"))


class AddressMatcherTests:
    @pytest.mark.parametrize("address, name", [
        ("12 Hàng Bài, Phường Hoàn Kiếm, Hà Nội", "Hoàn Kiếm"),
        ("12 Hàng Bài, phường Hoàn Kiếm", "Hoàn Kiếm"),
        ("12 Hàng Bài, P. Hoàn Kiếm, TP Hà Nội", "Hoàn Kiếm"),
        ("12 Hang Bai, P.Hoan Kiem, Ha Noi", "Hoàn Kiếm"),
        ("12 hang bai phuong hoan kiem ha noi", "Hoàn Kiếm"),
        ("PHƯỜNG HOÀN KIẾM", "Hoàn Kiếm"),
        ("58 Quốc Tử Giám, phường Văn Miếu - Quốc Tử Giám", "Văn Miếu - Quốc Tử Giám"),
        ("58 Quoc Tu Giam, phuong Van Mieu-Quoc Tu Giam, Ha Noi", "Văn Miếu - Quốc Tử Giám"),
        ("Thôn Giang Cao, xã Bát Tràng, Hà Nội", "Bát Tràng"),
        ("Xóm 3, X. Bát Tràng", "Bát Tràng"),
        ("thon 2 xa bat trang", "Bát Tràng"),
        ("Cụm 5, xã Hoà Xá", "Hòa Xá"),  # old-style tone placement
        ("Cụm 5, xã Hòa Xá", "Hòa Xá"),
        ("Phường Sơn Tây, Hà Nội", "Sơn Tây"),
        ("Ngõ 10, p. Láng; Hà Nội", "Láng"),
        ("Xã Đông Anh - Hà Nội", "Đông Anh"),
    ])
    def test_prefixed_official_names(self, matcher, address, name):
        assert matcher.match(address) == Ward.objects.get(name=name).code

    def test_decomposed_unicode_input(self, matcher):
        assert matcher.match(unicodedata.normalize("NFD", "Phường Hoàn Kiếm")) == "00070"

    @pytest.mark.parametrize("address", [
        "12 Hàng Bài, Hoàn Kiếm, Hà Nội",  # bare name: street, lake or old district
        "số 5 phố Hoàn Kiếm",
        "Quận Hoàn Kiếm, Hà Nội",
        "Thị xã Sơn Tây",  # the old town, not "xã Sơn Tây"; and Sơn Tây is a phường
        "thi xa Son Tay",
        "xã Hoàn Kiếm",  # Hoàn Kiếm is a phường
        "phường Láng Hạ, Đống Đa",  # an old ward, not the new Láng
        "phường Thanh Xuân Bắc",
        "phường Tràng Tiền",  # old ward merged away
        "phường Hoàn Kiếm hoặc phường Cửa Nam",  # two different wards
        "cách xa Hoàn Kiếm",
        "Phường Hoan Kiếm",  # half-accented name: neither spelling
        "Phưởng Hoan Kiem",  # mistyped prefix
        "TP. Hà Nội",
        "",
    ])
    def test_no_ward_rather_than_a_wrong_ward(self, matcher, address):
        assert matcher.match(address) is None

    def test_the_same_ward_named_twice_is_fine(self, matcher):
        assert matcher.match("P. Hoàn Kiếm (phường Hoàn Kiếm cũ: Hàng Bài)") == "00070"

    def test_longest_name_wins(self):
        m = AddressMatcher([("00001", "Phú", "phuong"), ("00002", "Phú Lương", "phuong")])
        assert m.match("phường Phú Lương, Hà Nội") == "00002"
        assert m.match("phường Phú, Hà Nội") == "00001"

    def test_normalise(self):
        assert normalise("  Xã   HOÀ  Xá-Thôn 1 ") == "xã hòa xá - thôn 1"


class WardFromAddressTests:
    def test_returns_the_ward_row(self):
        ward = ward_from_address("12 Hàng Bài, P. Hoàn Kiếm")
        assert ward.code == "00070" and ward.name == "Hoàn Kiếm"

    def test_unrecognised_address_is_none(self):
        assert ward_from_address("12 Hàng Bài") is None
