"""Open311 input parsing and output shapes (field names and order as in the GeoReport v2 spec)."""
from __future__ import annotations

import math
import re
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework import serializers

from .. import intake
from ..api.filters import in_supported_range
from ..lifecycle import OPEN_STATUSES
from ..models import Case, CasePhoto
from . import selectors
from .attributes import attributes_for

DEFAULT_WINDOW = timedelta(days=90)
ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
W3C_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def w3c(dt: datetime | None, tz=None) -> str | None:
    """W3C datetime with the Hanoi offset, e.g. 2026-12-01T14:05:00+07:00 (`tz`: the current time zone, when
    the caller already has it)."""
    return timezone.localtime(dt, tz).replace(microsecond=0).isoformat() if dt else None


def parse_w3c(value: str) -> datetime:
    """Parse a W3C datetime (a date, or a date and time with Z or ±hh:mm); raise ValueError."""
    value = value.strip()
    date_only = W3C_DATE.match(value)
    if date_only:
        year, month, day = (int(g) if g else 1 for g in date_only.groups())
        if not 2000 <= year <= 2100:
            raise ValueError(value)
        return timezone.make_aware(datetime.combine(datetime(year, month, day).date(), time.min))
    parsed = parse_datetime(value)
    if parsed is None or timezone.is_naive(parsed) or not in_supported_range(parsed):
        raise ValueError(value)
    return parsed


def service_notice(case: Case) -> str:
    return notice(agency=str(case.agency) if case.agency_id else None, status=case.status, due_at=case.due_at)


def notice(*, agency: str | None, status: str, due_at: datetime | None, messages: tuple[str, str, str] | None = None,
           tz=None) -> str:
    """The service_notice of a request: who handles it and, while it is open, when an answer is due (`messages`
    and `tz`: `notice_messages()` and the current time zone, when the caller already has them)."""
    unrouted, due, handles = messages or notice_messages()
    if agency is None:
        return unrouted
    if status in OPEN_STATUSES and due_at:
        return due % {"agency": agency, "due": f"{timezone.localtime(due_at, tz):%d/%m/%Y %H:%M}"}
    return handles % {"agency": agency}


def notice_messages() -> tuple[str, str, str]:
    return (_("The city's dispatcher will send this report to the responsible agency."),
            _("%(agency)s handles this report; an answer is due by %(due)s."),
            _("%(agency)s handles this report."))


# --- output -----------------------------------------------------------------------------------------------------


class ServiceSerializer(serializers.Serializer):
    service_code = serializers.CharField(source="code")
    service_name = serializers.CharField(source="name")
    description = serializers.SerializerMethodField()
    metadata = serializers.SerializerMethodField()
    type = serializers.SerializerMethodField()
    keywords = serializers.CharField()
    group = serializers.CharField()

    def get_description(self, topic) -> str:
        english = (get_language() or "vi").startswith("en")
        return (topic.description_en if english else topic.description_vi) or topic.name

    def get_metadata(self, topic) -> bool:
        return bool(attributes_for(topic.code))

    def get_type(self, topic) -> str:
        return "realtime"


def service_definition(code: str) -> dict:
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": str(a.datatype_description) or None,
                "order": order,
                "description": str(a.description),
                "values": [{"key": key, "name": str(name)} for key, name in a.values],
            }
            for order, a in enumerate(attributes_for(code), start=1)
        ],
    }


def request_records(rows: list[dict], *, request=None) -> list[dict]:
    """Service requests as GET requests shows them, from `selectors.service_requests` rows: public fields only,
    never the reporter's contact; plain dicts in the spec's field order, ready for either renderer."""
    english = (get_language() or "vi").startswith("en")
    tz, messages = timezone.get_current_timezone(), notice_messages()
    photo_url = CasePhoto._meta.get_field("image").storage.url
    records = []
    for row in rows:
        is_open = row["status"] in OPEN_STATUSES
        ward_code = row["ward__code"]
        agency = row["agency__name"] if row["agency_id"] is not None else None
        if row["photo"]:
            url = photo_url(row["photo"])
            media_url = request.build_absolute_uri(url) if request is not None else url
        else:
            media_url = row["sent_media_url"] or None
        records.append({
            "service_request_id": row["tracking_code"],
            "status": "open" if is_open else "closed",
            "status_notes": row["status_note"] or None,
            "service_name": row["topic__name_en"] if english else row["topic__name_vi"],
            "service_code": row["topic__code"],
            "description": row["description"],
            "agency_responsible": agency,
            "service_notice": notice(agency=agency, status=row["status"], due_at=row["due_at"], messages=messages,
                                     tz=tz),
            "requested_datetime": w3c(row["received_at"], tz),
            "updated_datetime": w3c(row["updated_at"] if is_open else (row["closed_at"] or row["resolved_at"]
                                                                       or row["updated_at"]), tz),
            "expected_datetime": w3c(row["due_at"], tz),
            "address": ", ".join(dict.fromkeys(
                p for p in (row["address"], row["ward__full_name"] if ward_code else "", "Hà Nội") if p)),
            "address_id": ward_code or None,
            "zipcode": None,
            "lat": row["latitude"],
            "long": row["longitude"],
            "media_url": media_url,
        })
    return records


# --- input --------------------------------------------------------------------------------------------------------


def _coordinate(value: str, low: float, high: float) -> tuple[float | None, str | None]:
    """(number, None) or (None, error message) for one WGS84 coordinate."""
    try:
        number = float(value)
    except ValueError:
        return None, _("Give a number in decimal degrees (WGS84).")
    if not math.isfinite(number) or not low <= number <= high:
        return None, _("Must be between %(low)s and %(high)s.") % {"low": low, "high": high}
    return number, None


class PostRequestSerializer(serializers.Serializer):
    """POST requests: every argument except service_code and api_key (checked by the view)."""

    lat = serializers.CharField(required=False, allow_blank=True)
    long = serializers.CharField(required=False, allow_blank=True)
    address_string = serializers.CharField(required=False, allow_blank=True, max_length=intake.ADDRESS_MAX)
    address_id = serializers.CharField(required=False, allow_blank=True, max_length=20)
    email = serializers.EmailField(required=False, allow_blank=True)
    device_id = serializers.CharField(required=False, allow_blank=True, max_length=200)
    account_id = serializers.CharField(required=False, allow_blank=True, max_length=200)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=60)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=60)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    description = serializers.CharField(required=False, allow_blank=True, max_length=intake.DESCRIPTION_MAX)
    media_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    media = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                  max_length=intake.photos_max())

    def validate_address_id(self, value: str):
        """`address_id` is a ward's official code: the ward, or None when not given."""
        if not value.strip():
            return None
        found = selectors.ward(value)
        if found is None:
            raise serializers.ValidationError(_("Not a ward code of Hanoi."))
        return found

    def validate(self, data):
        lat, lon = data.get("lat", "").strip(), data.get("long", "").strip()
        if bool(lat) != bool(lon):
            raise serializers.ValidationError(
                {"long" if lat else "lat": _("Send lat and long together, or neither.")})
        data["lat"], data["long"] = None, None
        if lat:
            (data["lat"], lat_error), (data["long"], lon_error) = _coordinate(lat, -90, 90), _coordinate(
                lon, -180, 180)
            errors = {name: e for name, e in (("lat", lat_error), ("long", lon_error)) if e}
            if errors:
                raise serializers.ValidationError(errors)
        if intake.location_problem(lat=data["lat"], lon=data["long"], address=data.get("address_string", ""),
                                   ward=data.get("address_id")) == intake.MISSING:
            raise serializers.ValidationError(
                _("A location is required: lat and long, address_string or address_id."))
        return data


def attribute_answers(form) -> dict[str, list[str]]:
    """`attribute[code]=v` and `attribute[code][]=v1&attribute[code][]=v2` → {code: [values]}."""
    answers: dict[str, list[str]] = {}
    for key in form.keys():
        match = ATTRIBUTE_KEY.match(key)
        if match:
            values = form.getlist(key) if hasattr(form, "getlist") else [form[key]]
            answers.setdefault(match.group(1), []).extend(str(v) for v in values)
    return answers


class RequestsQuerySerializer(serializers.Serializer):
    """GET requests filters."""

    service_request_id = serializers.CharField(required=False, allow_blank=True)
    service_code = serializers.CharField(required=False, allow_blank=True)
    status = serializers.CharField(required=False, allow_blank=True)
    start_date = serializers.CharField(required=False, allow_blank=True)
    end_date = serializers.CharField(required=False, allow_blank=True)

    @staticmethod
    def _list(value: str) -> list[str]:
        return [v.strip() for v in (value or "").split(",") if v.strip()]

    def _date(self, data, name):
        value = data.get(name, "").strip()
        if not value:
            return None
        try:
            return parse_w3c(value)
        except ValueError:
            raise serializers.ValidationError(
                {name: _("Use a W3C date and time with its time zone, e.g. 2026-01-31T08:00:00+07:00, "
                         "between 2000 and 2100.")}
            ) from None

    def validate(self, data):
        out = {"ids": self._list(data.get("service_request_id")),
               "service_codes": self._list(data.get("service_code")),
               "statuses": [s.lower() for s in self._list(data.get("status"))]}
        bad = [s for s in out["statuses"] if s not in ("open", "closed")]
        if bad:
            raise serializers.ValidationError({"status": _("Use open, closed or both (comma-separated).")})
        if len(out["ids"]) > 1000:
            raise serializers.ValidationError({"service_request_id": _("Ask for at most 1000 requests at once.")})
        start, end = self._date(data, "start_date"), self._date(data, "end_date")
        if start and end and start > end:
            raise serializers.ValidationError({"end_date": _("end_date is before start_date.")})
        if start and end and end - start > DEFAULT_WINDOW:
            raise serializers.ValidationError(_("A search may not span more than 90 days."))
        # "now" to the minute (start of the window down, its end up): every request of one minute asks the same
        # query, so one cached body answers them all (feedback/open311/http.py)
        now = timezone.now().replace(second=0, microsecond=0)
        if end is None:
            end = min(start + DEFAULT_WINDOW, now + timedelta(minutes=1)) if start else None
        if start is None:
            start = (end or now) - DEFAULT_WINDOW
        out["start"], out["end"] = start, end
        return out


def jurisdiction_matches(value: str | None) -> bool:
    return not value or value.strip().lower() == settings.OPEN311_JURISDICTION_ID
