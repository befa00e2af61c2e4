"""GET /suggest-topic/?text=… — the report form's live topic suggestion (static/js/topic-suggest.js)."""
from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from rest_framework.throttling import SimpleRateThrottle

from .predictor import suggest

MIN_CHARS = 6
MAX_CHARS = 2000


class SuggestThrottle(SimpleRateThrottle):
    """Per client address (the API's rule for telling clients apart: REST_FRAMEWORK NUM_PROXIES), in the cache."""

    scope = "suggest-topic"

    def get_rate(self) -> str:
        return f"{settings.TOPIC_SUGGEST_RATE_PER_MINUTE}/min"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


@require_GET
def suggest_topic(request):
    """{code, id, name, confidence, suggest, message}: the model's most likely topic for the description typed
    so far, its name in the visitor's language, and `suggest` true from TOPIC_SUGGEST_MIN_CONFIDENCE up."""
    if not SuggestThrottle().allow_request(request, None):
        return JsonResponse({"error": _("Too many requests; try again in a minute.")}, status=429)
    text = request.GET.get("text", "").strip()
    if len(text) < MIN_CHARS:
        return JsonResponse({"error": _("Type a few words describing the problem.")}, status=400)
    if len(text) > MAX_CHARS:
        return JsonResponse({"error": _("The description is too long for a suggestion.")}, status=400)
    found = suggest(text)
    if found is None:
        return JsonResponse({"code": None, "id": None, "name": None, "confidence": None, "suggest": False,
                             "message": ""})
    sure = found.confidence >= settings.TOPIC_SUGGEST_MIN_CONFIDENCE
    return JsonResponse({
        "code": found.topic.code, "id": found.topic.pk, "name": found.topic.name,
        "confidence": round(found.confidence, 3), "suggest": sure,
        "message": _("Is it: %(topic)s?") % {"topic": found.topic.name} if sure else "",
    })
