"""Extra questions asked for some topics (Open311 'service definitions') and checking the answers.

Answers are stored with the report, in the data of its SUBMITTED event (`data["attributes"]`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

STRING, NUMBER, DATETIME, TEXT = "string", "number", "datetime", "text"
SINGLE, MULTI = "singlevaluelist", "multivaluelist"


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    description: object  # lazy translation
    required: bool = False
    variable: bool = True
    datatype_description: object = ""
    values: tuple[tuple[str, object], ...] = field(default_factory=tuple)

    def clean(self, raw: list[str]):
        """The stored value for the submitted strings (one, or several for a multivaluelist)."""
        raw = [v.strip() for v in raw if v.strip()]
        if not raw:
            if self.required:
                raise ValidationError(_("Answer the question “%(question)s” (attribute[%(code)s]).")
                                      % {"question": self.description, "code": self.code})
            return None
        keys = {k for k, _name in self.values}
        if self.datatype == MULTI:
            unknown = [v for v in raw if v not in keys]
            if unknown:
                raise self._bad(", ".join(unknown))
            return list(dict.fromkeys(raw))
        value = raw[-1]
        if self.datatype == SINGLE and value not in keys:
            raise self._bad(value)
        if self.datatype == NUMBER:
            try:
                number = float(value)
            except ValueError:
                raise self._bad(value) from None
            if not math.isfinite(number):
                raise self._bad(value)
            return number
        if self.datatype == DATETIME and parse_datetime(value) is None:
            raise self._bad(value)
        if self.datatype == STRING:
            value = " ".join(value.split())
        return value[:1000]

    def _bad(self, value: str) -> ValidationError:
        return ValidationError(_("“%(value)s” is not a valid answer for attribute[%(code)s].")
                               % {"value": value, "code": self.code})


SERVICE_ATTRIBUTES: dict[str, tuple[Attribute, ...]] = {
    "fallen-tree": (
        Attribute(
            "road_blocked", SINGLE, gettext_lazy("Is the tree blocking the road?"), required=True,
            values=(("fully", gettext_lazy("Yes, the road is blocked")),
                    ("partly", gettext_lazy("Partly, one lane is blocked")),
                    ("no", gettext_lazy("No, traffic can pass"))),
        ),
        Attribute(
            "hazards", MULTI, gettext_lazy("Other dangers"),
            values=(("power_lines", gettext_lazy("Touching power lines")),
                    ("vehicle", gettext_lazy("Fell on a vehicle or a house")),
                    ("injured", gettext_lazy("Someone is hurt"))),
        ),
    ),
    "traffic-lights": (
        Attribute(
            "signal_fault", SINGLE, gettext_lazy("What is wrong with the signal?"), required=True,
            values=(("off", gettext_lazy("All lights are off")),
                    ("flashing", gettext_lazy("Flashing yellow only")),
                    ("stuck", gettext_lazy("Stuck on one colour")),
                    ("damaged", gettext_lazy("Pole or lamp damaged"))),
        ),
    ),
    "drainage": (
        Attribute(
            "water_depth_cm", NUMBER, gettext_lazy("How deep is the water on the street?"),
            datatype_description=gettext_lazy("Depth in centimetres, e.g. 30"),
        ),
    ),
}


def attributes_for(service_code: str) -> tuple[Attribute, ...]:
    return SERVICE_ATTRIBUTES.get(service_code, ())


def clean_answers(service_code: str, submitted: dict[str, list[str]]) -> dict:
    """Check every answer against the service definition; collect all the errors at once."""
    known = {a.code: a for a in attributes_for(service_code)}
    errors: list[str] = []
    answers: dict = {}
    for code in submitted:
        if code not in known:
            errors.append(_("This service has no attribute “%(code)s”.") % {"code": code})
    for code, attribute in known.items():
        try:
            value = attribute.clean(submitted.get(code, []))
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if value is not None:
            answers[code] = value
    if errors:
        raise ValidationError(errors)
    return answers
