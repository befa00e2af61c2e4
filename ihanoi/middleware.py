"""The portal's language: Vietnamese first on every page, English only when the visitor chooses it."""
from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

# Machine clients say which language they want in Accept-Language (Open311 errors are documented that way).
ACCEPT_LANGUAGE_PATHS = ("/api/",)


def chosen_language(request) -> str:
    """The language the visitor picked with the switch (Django's set_language cookie), else Vietnamese."""
    try:
        return translation.get_supported_language_variant(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or "")
    except LookupError:
        return settings.LANGUAGE_CODE


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware without the browser's Accept-Language on the HTML pages: a phone set to
    English still gets the Vietnamese portal until its owner presses "English", and the language cookie
    keeps that choice. Paths under ACCEPT_LANGUAGE_PATHS (the APIs) keep Django's negotiation."""

    def process_request(self, request):
        if request.path_info.startswith(ACCEPT_LANGUAGE_PATHS):
            return super().process_request(request)
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if not request.path_info.startswith(ACCEPT_LANGUAGE_PATHS):
            patch_vary_headers(response, ("Cookie",))  # the page's language follows the language cookie
        return response
