"""Fixtures shared by the leaders' figures tests (test_figures, test_views, test_tally)."""
import pytest
from django.core.cache import cache

from tests.dashboard.known_cases import build_known_cases


@pytest.fixture
def fresh_cache():
    """Figures are cached: each figures test starts from an empty cache."""
    cache.clear()


@pytest.fixture
def known():
    return build_known_cases()
