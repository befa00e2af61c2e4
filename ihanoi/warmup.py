"""A worker's one-time costs, paid when it starts instead of by its first visitor (ihanoi/wsgi.py, ihanoi/asgi.py).

Django defers them to the first request: importing the URLconf (DRF, drf-spectacular and the apps' views, about
half a second), building the reverse-URL map of each language, loading the translation catalogs, compiling the
templates of the busiest pages (and the templates they extend or include), and reading the static files'
manifest. The first /dashboard/ of a new gunicorn worker (one every `--max-requests`) took 0.4–0.7 s of which
these were most; the database has nothing to do with it.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.template.loader_tags import ExtendsNode, IncludeNode

log = logging.getLogger(__name__)

# The pages a burst or a leader opens first (templates/…).
HOT_TEMPLATES = ("feedback/home.html", "feedback/report.html", "feedback/track.html", "feedback/map.html",
                 "dashboard/board.html", "dashboard/dashboard.html")


def warm_up() -> None:
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.urls import get_resolver, reverse
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 - the import of every urls.py and view module
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # the catalog, and the reverse map (kept per language)
            reverse("dashboard:index")
    staticfiles_storage.base_url  # noqa: B018 - instantiates the storage: the manifest is read once
    seen: set[str] = set()
    for name in HOT_TEMPLATES:
        _compile(name, seen)


def _compile(name: str, seen: set[str]) -> None:
    """The template and, recursively, those it extends or includes by a constant name (the cached loader keeps
    each compiled)."""
    if name in seen:
        return
    seen.add(name)
    try:
        template = get_template(name).template
    except TemplateDoesNotExist:
        log.warning("warm-up: no template %s", name)
        return
    for node in template.nodelist.get_nodes_by_type(ExtendsNode) + template.nodelist.get_nodes_by_type(IncludeNode):
        ref = node.parent_name if isinstance(node, ExtendsNode) else node.template
        if isinstance(getattr(ref, "var", None), str):  # a literal name, not a variable
            _compile(ref.var, seen)
