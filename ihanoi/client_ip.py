"""The client's IP address, by one rule for every limit: DRF's throttles, the web forms' limits and the login lockout.

The rule is DRF's ``NUM_PROXIES`` (settings.TRUSTED_PROXY_COUNT, which also sets REST_FRAMEWORK["NUM_PROXIES"]):
with 0 proxies the client is REMOTE_ADDR and any X-Forwarded-For is ignored, since a client can send one; behind n
trusted proxies that each append the address they saw, the client is the n-th address from the end of
X-Forwarded-For (what our own outermost proxy saw), never an address the client wrote itself.
"""
from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not proxies or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",")]
    candidate = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # a proxy that is misconfigured: fall back to the address that connected
        return remote
