"""One set of intake rules for the web form, REST and Open311 (feedback/intake.py)."""
import pytest
from django.core.exceptions import ValidationError

from feedback import intake
from feedback.api.serializers import ReportCreateSerializer
from feedback.forms import ReportForm
from feedback.open311.serializers import PostRequestSerializer
from feedback.services import Location


class LocationRuleTests:
    @pytest.mark.parametrize("lat, lon, address, ward, problem", [
        (21.0, 105.8, "", None, None),
        (None, None, "12 Hàng Bài", None, None),
        (None, None, "", object(), None),  # Open311's address_id
        (21.0, None, "12 Hàng Bài", None, intake.INCOMPLETE),
        (None, 105.8, "", None, intake.INCOMPLETE),
        (None, None, "  ", None, intake.MISSING),
    ])
    def test_pair_or_address(self, lat, lon, address, ward, problem):
        assert intake.location_problem(lat=lat, lon=lon, address=address, ward=ward) == problem

    def test_the_service_applies_it(self):
        with pytest.raises(ValidationError):
            Location(lat=21.0)
        with pytest.raises(ValidationError):
            Location()
        assert Location(address="12 Hàng Bài").address


@pytest.mark.django_db
class SameLimitsTests:
    def test_every_channel_takes_the_same_description_and_photo_limits(self):
        form = ReportForm().fields
        rest = ReportCreateSerializer().fields
        open311 = PostRequestSerializer().fields
        assert form["description"].max_length == rest["description"].max_length == open311[
            "description"].max_length == intake.DESCRIPTION_MAX
        assert form["description"].min_length == intake.DESCRIPTION_MIN
        assert rest["photos"].max_length == intake.photos_max()
        assert rest["address"].max_length == open311["address_string"].max_length == intake.ADDRESS_MAX
