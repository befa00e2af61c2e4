"""A new worker pays its one-time costs at start (ihanoi/warmup.py, run by ihanoi/wsgi.py and asgi.py), so its
first visitor does not: the busiest pages' templates, and those they extend or include, are compiled."""
from django.template import engines

from ihanoi import warmup


def _cached_names() -> set[str]:
    loader = engines["django"].engine.template_loaders[0]  # the cached loader (Django's default)
    return {t.origin.template_name for t in loader.get_template_cache.values() if hasattr(t, "origin")}


def test_the_warm_up_compiles_the_hot_templates_and_their_parents():
    engines["django"].engine.template_loaders[0].reset()
    assert "dashboard/dashboard.html" not in _cached_names()
    warmup.warm_up()
    names = _cached_names()
    assert set(warmup.HOT_TEMPLATES) <= names
    assert "base.html" in names  # {% extends "base.html" %}
    assert "dashboard/_definitions.html" in names  # {% include %} of the dashboard

