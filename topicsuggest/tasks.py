"""Celery: retrain the topic model (nightly, CELERY_BEAT_SCHEDULE "train-topic-model")."""
from __future__ import annotations

from celery import shared_task

from feedback.tasks import RETRY


@shared_task(**RETRY)
def train_topic_model() -> int:
    """Train on the seed phrases and every staff topic correction so far; store a new version; its id."""
    from .training import train_and_store

    return train_and_store().pk
