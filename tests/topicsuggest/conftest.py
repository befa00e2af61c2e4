import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """/suggest-topic/ counts calls per client in the cache: each test starts from zero."""
    cache.clear()


@pytest.fixture
def topic_model(db):
    from topicsuggest.training import train_and_store

    return train_and_store()
