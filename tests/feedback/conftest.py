"""Fixtures shared by the leaders' figures tests (test_stats, test_dashboard)."""
import pytest
from django.core.cache import cache

from tests.feedback.known_cases import build_known_cases


@pytest.fixture
def fresh_cache():
    """Figures are cached: each figures test starts from an empty cache."""
    cache.clear()


@pytest.fixture
def known():
    return build_known_cases()
