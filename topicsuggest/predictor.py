"""The newest stored topic model, loaded lazily once per process and reloaded when a newer version exists
(the check is one primary-key lookup). Nothing is downloaded at run time."""
from __future__ import annotations

import io
import logging
import threading
from dataclasses import dataclass

from django.conf import settings

log = logging.getLogger(__name__)
_lock = threading.Lock()
_loaded: dict = {"pk": None, "pipeline": None}


@dataclass(frozen=True)
class Suggestion:
    topic: object  # agencies.models.Topic
    confidence: float  # 0..1

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


def _pipeline():
    from .models import TopicModel

    # (id, trained_at): an id alone could come back after a rollback or a restored backup
    newest = TopicModel.objects.order_by("-pk").values_list("pk", "trained_at").first()
    if newest is None:
        return None
    if _loaded["pk"] != newest:
        with _lock:
            if _loaded["pk"] != newest:
                import joblib

                blob = TopicModel.objects.values_list("blob", flat=True).get(pk=newest[0])
                try:
                    _loaded.update(pipeline=joblib.load(io.BytesIO(bytes(blob))), pk=newest)
                except Exception:  # a version pickled by an incompatible scikit-learn: wait for a retrain
                    log.exception("topic model #%s cannot be loaded", newest[0])
                    _loaded.update(pipeline=None, pk=newest)
    return _loaded["pipeline"]


def suggest(text: str) -> Suggestion | None:
    """The most likely active topic for a description, with the model's probability; None without a model."""
    from agencies.models import Topic

    pipeline = _pipeline()
    if pipeline is None or not text.strip():
        return None
    probabilities = pipeline.predict_proba([text])[0]
    best = int(probabilities.argmax())
    topic = Topic.objects.active().filter(code=pipeline.classes_[best]).first()
    return Suggestion(topic=topic, confidence=float(probabilities[best])) if topic else None


def misfiled_hint(case) -> Suggestion | None:
    """For the staff case page: the model's topic when it differs from the case's, above
    TOPIC_MISFILED_MIN_CONFIDENCE."""
    suggestion = suggest(case.description)
    if (suggestion is None or suggestion.topic.pk == case.topic_id
            or suggestion.confidence < settings.TOPIC_MISFILED_MIN_CONFIDENCE):
        return None
    return suggestion
