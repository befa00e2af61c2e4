"""ihanoi.client_ip: the rule of DRF's NUM_PROXIES, for the web-form limits and the login lockout alike."""
import pytest
from django.test import RequestFactory
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from ihanoi.client_ip import client_ip

CASES = [
    # (trusted proxies, REMOTE_ADDR, X-Forwarded-For, the client)
    (0, "192.0.2.1", None, "192.0.2.1"),
    (0, "192.0.2.1", "198.51.100.7", "192.0.2.1"),  # no proxy: a client-sent header is ignored
    (1, "10.0.0.2", "198.51.100.7", "198.51.100.7"),
    (1, "10.0.0.2", "203.0.113.66, 198.51.100.7", "198.51.100.7"),  # the client wrote the first hop
    (2, "10.0.0.2", "203.0.113.66, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
    (3, "10.0.0.2", "198.51.100.7", "198.51.100.7"),  # fewer hops than proxies: the first one
    (1, "10.0.0.2", None, "10.0.0.2"),
    (1, "2001:db8::1", "2001:db8:1::5", "2001:db8:1::5"),
]


def request(remote, forwarded):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(("proxies", "remote", "forwarded", "expected"), CASES)
def test_the_client_address_is_drfs(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    assert api_settings.NUM_PROXIES == proxies
    req = request(remote, forwarded)
    assert client_ip(req) == expected == BaseThrottle().get_ident(req)


def test_a_garbage_hop_falls_back_to_the_connecting_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request("10.0.0.2", "not-an-ip")) == "10.0.0.2"


def test_drf_uses_the_same_number_of_proxies():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT == 0
