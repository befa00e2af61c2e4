"""The one set of rules a new report meets, whatever the channel (the web form, the REST API, Open311, and
`services.intake.submit_report` behind them): a description of DESCRIPTION_MIN–DESCRIPTION_MAX characters,
a location that is a whole latitude/longitude pair or an address (or, in Open311, a ward code), and at most
settings.PHOTOS_PER_REPORT photos. Each channel words the error in its own terms; the rule is decided here."""
from __future__ import annotations

from django.conf import settings

DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 5000  # the web form's limit; the APIs said 4000 until they shared this one
ADDRESS_MAX = 300

INCOMPLETE = "incomplete"  # one of latitude / longitude without the other
MISSING = "missing"  # no point and no address


def location_problem(*, lat, lon, address: str = "", ward=None) -> str | None:
    """What is wrong with a report's location (INCOMPLETE, MISSING), or None when it will do."""
    if (lat is None) != (lon is None):
        return INCOMPLETE
    if lat is None and not (address or "").strip() and ward is None:
        return MISSING
    return None


def description_too_short(text: str) -> bool:
    return len((text or "").strip()) < DESCRIPTION_MIN


def photos_max() -> int:
    return settings.PHOTOS_PER_REPORT
