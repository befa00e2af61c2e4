"""Partner API keys (Open311 POST). Only a SHA-256 hash of a key is stored, with its first characters to tell
keys apart; the key itself is shown once, when it is made, and compared in constant time."""
from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import ApiClient

PREFIX_LENGTH = 6  # not secret: shown in the admin
MIN_KEY_LENGTH = 20


def new_api_key() -> str:
    return secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def check_new_api_key(key: str) -> str:
    """The key, if it may be given to a client: long enough and not another client's."""
    key = (key or "").strip()
    if len(key) < MIN_KEY_LENGTH:
        raise ValidationError({"api_key": _("Use at least %(n)d characters.") % {"n": MIN_KEY_LENGTH}})
    if ApiClient.objects.filter(key_hash=hash_api_key(key)).exists():
        raise ValidationError({"api_key": _("Another API client has this key.")})
    return key


@transaction.atomic
def set_api_key(*, client: ApiClient, api_key: str) -> ApiClient:
    """Give `client` (new or existing) the key `api_key`: store its hash and prefix, never the key."""
    api_key = check_new_api_key(api_key)
    client.key_hash, client.key_prefix = hash_api_key(api_key), api_key[:PREFIX_LENGTH]
    client.full_clean()
    client.save()
    return client
