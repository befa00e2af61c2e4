import pytest

from notify_channels.services import vn_mobile_e164


@pytest.mark.parametrize("typed, e164", [
    ("0912 345 678", "+84912345678"), ("+84 912.345.678", "+84912345678"), ("84-38-123-4567", "+84381234567"),
    ("0701234567", "+84701234567"), ("024 3825 6789", None), ("091234567", None), ("+1 650 253 0000", None),
    ("", None),
])
def test_vietnamese_mobile_numbers_in_e164(typed, e164):
    assert vn_mobile_e164(typed) == e164
