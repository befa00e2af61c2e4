"""Submit a report at most once per idempotency key (the web form /report/ and the API /api/v1/reports/)."""
from __future__ import annotations

import uuid
from typing import Callable

from django.db import IntegrityError, transaction

from .models import SubmissionKey

HEADER = "HTTP_IDEMPOTENCY_KEY"  # the `Idempotency-Key` request header
FIELD = "idempotency_key"  # or a form field of that name


class BadKey(ValueError):
    pass


def key_from(request, data=None) -> uuid.UUID | None:
    """The request's idempotency key (header first, then the form/JSON field); None without one.

    Raises BadKey for a value that is not a UUID."""
    raw = request.META.get(HEADER) or (data if data is not None else request.POST).get(FIELD) or ""
    raw = str(raw).strip()
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise BadKey(raw) from exc


def case_for_key(key: uuid.UUID):
    found = SubmissionKey.objects.select_related("case").filter(key=key).first()
    return found.case if found else None


def submit_once(key: uuid.UUID | None, submit: Callable):
    """(case, created): the case already filed under `key`, or `submit()`'s new case with the key recorded in the
    same transaction. Two sends racing with one key: the unique key makes the loser roll back and return the
    winner's case."""
    if key is None:
        return submit(), True
    existing = case_for_key(key)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            case = submit()
            SubmissionKey.objects.create(key=key, case=case)
    except IntegrityError:
        existing = case_for_key(key)
        if existing is None:
            raise
        return existing, False
    return case, True


def web_form_key(request) -> uuid.UUID | None:
    """The web form's key; a malformed one is ignored (the form still files the report)."""
    try:
        return key_from(request)
    except BadKey:
        return None


def api_key(request) -> uuid.UUID | None:
    """The API's key (header or field); a malformed one is a 400."""
    from rest_framework.exceptions import ValidationError

    try:
        return key_from(request, request.data)
    except BadKey:
        raise ValidationError({FIELD: ["Not a UUID."]}) from None


def _idempotency_parameter():
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiParameter

    return OpenApiParameter(
        "Idempotency-Key", OpenApiTypes.UUID, OpenApiParameter.HEADER, required=False,
        description="A UUID the client makes once per report (or the `idempotency_key` field): sent again, the "
                    "same case comes back with 200 instead of a second case.")


IDEMPOTENCY_KEY = _idempotency_parameter()  # for the API's schema (feedback/api/views.py)
