"""Public pages served from a shared cache of rendered bodies (issue 16: burst reads).

A page shared on social media is read by thousands of visitors at once, almost all anonymous. `shared_page`
keeps the rendered body of such a page in the cache (Redis), keyed by the page's path, the language and the
version tokens of what the page shows (e.g. the case's token for a tracking page, bumped on every write to
the case, its events, photos and supports: a change shows on the next read). Only a request with no session
cookie and no messages cookie, without a query string, is served from it; anyone else (logged in, the reporter
whose session holds the private key, a visitor with a flash message) gets the page rendered for them.

What differs between two visitors of one cached body is put back per request:
- the CSRF token of every form: stored as a placeholder, replaced by `get_token(request)` (the visitor's own
  secret, masked; the csrftoken cookie is set as Django would). No CSRF secret is ever shared;
- the CSP nonce of inline scripts: stored as a placeholder, replaced by this response's `request.csp_nonce`.
A page without a form sets no cookie at all (the language switch is a plain link, ihanoi/views.py).

Every answer carries an ETag (a hash of the stored body, and of the visitor's CSRF secret on a page with a form)
and Cache-Control (`public, no-cache` for pages without a form: a shared cache may keep them but revalidates
each time; `private, no-cache` for pages with a form: the body carries the visitor's token); a conditional GET
whose If-None-Match matches gets 304 without a body. A body without placeholders is stored gzipped as well,
served to clients that accept gzip. The TTL bounds what the tokens do not cover (clock-driven figures, a
reference-data edit in the admin). While the cache is down (ihanoi/cache.py) every read is a miss: the page is
rendered as before.
"""
from __future__ import annotations

import hashlib
import re
import time
import uuid
from functools import wraps
from typing import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from .conditional import RecentBodies, accepts_gzip, gzip_body, not_modified

CSRF_PLACEHOLDER = "\x00csrf\x00"
NONCE_PLACEHOLDER = "\x00nonce\x00"
_CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
GZIP_MIN_BYTES = 1024
_KEEP_HEADERS = ("Content-Type", "Content-Language")
_GENERATION_KEY = "page:generation"
FILL_LOCK_SECONDS = 10  # a renderer that died frees its lock after this
FILL_WAIT = 5.0  # seconds a request waits for another's render of the same page before rendering it itself
FILL_POLL = 0.02
RECENT_BYTES = 16 * 2**20  # per process: the pages it served last (a 156 KB board and its 12 KB gzip, many small)
RECENT_TTL = 60  # seconds an entry is kept in the process; its key changes with every write it shows anyway
_recent: RecentBodies[dict] = RecentBodies(RECENT_BYTES, RECENT_TTL)


def shareable(request) -> bool:
    """May this request be answered from the shared cache? Anonymous, session-less, no flash message, no query."""
    return (request.method == "GET" and not request.META.get("QUERY_STRING")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and CookieStorage.cookie_name not in request.COOKIES)


def version_token(key: str, timeout: int | None) -> str:
    """The current token under `key`, created when missing (a fresh random one never equals an old one)."""
    return version_tokens({key: timeout})[0]


def version_tokens(keys: dict[str, int | None]) -> list[str]:
    """The tokens under `keys` ({key: timeout of a new one}), in order, in one round trip when all exist."""
    found = cache.get_many(list(keys))
    missing = [k for k in keys if k not in found]
    if missing:
        for key in missing:
            cache.add(key, uuid.uuid4().hex, keys[key])
        found.update(cache.get_many(missing))
        for key in missing:  # the cache is down: a token of this request only (nothing is stored either)
            found.setdefault(key, uuid.uuid4().hex)
    return [found[k] for k in keys]


def new_generation(**kwargs) -> None:
    """Every shared page is stale: after a cache outage (whose dropped bumps cannot be known one by one) and
    when a setting changes (tests); connected in FeedbackConfig.ready()."""
    try:
        cache.set(_GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception:  # noqa: BLE001 — a cache backend that is not fail-soft (a test's): nothing was cached
        pass


def _page_key(name: str, request, token_keys: dict[str, int | None]) -> str:
    tokens = version_tokens({_GENERATION_KEY: None, **token_keys})
    raw = "\x1f".join([request.path, translation.get_language() or "", *tokens])
    return f"page:{name}:" + hashlib.sha1(raw.encode()).hexdigest()


def _entry(request, response: HttpResponse) -> dict | None:
    """What is stored: the body with the per-visitor parts replaced by placeholders, a few headers, the ETag.
    None for a body that already holds a NUL (a placeholder's character): it is not shared."""
    body = response.content.decode(response.charset or "utf-8")
    if "\x00" in body:
        return None
    body, forms = _CSRF_INPUT.subn(lambda m: m.group(1) + CSRF_PLACEHOLDER + m.group(2), body)
    nonce = getattr(request, "_csp_nonce", None)
    uses_nonce = isinstance(nonce, str) and nonce in body
    if uses_nonce:
        body = body.replace(nonce, NONCE_PLACEHOLDER)
    data = body.encode("utf-8")
    entry = {"body": data, "forms": bool(forms), "nonce": uses_nonce,
             "etag": hashlib.sha1(data).hexdigest()[:20],
             "headers": {h: response[h] for h in _KEEP_HEADERS if h in response}}
    if not forms and not uses_nonce and len(data) >= GZIP_MIN_BYTES:
        entry["gzip"] = gzip_body(data)
    return entry


def _etag(request, entry: dict) -> str:
    tag = entry["etag"]
    if entry["forms"]:  # the body holds the visitor's token: a new CSRF secret is a new representation
        secret = request.META.get("CSRF_COOKIE") or ""
        tag += "-" + hashlib.sha1(secret.encode()).hexdigest()[:8]
    return f'W/"{tag}"'


def _serve(request, entry: dict) -> HttpResponse:
    if entry["forms"] and not request.META.get("CSRF_COOKIE"):
        get_token(request)  # a first visit: the secret its cookie will carry, before the ETag names it
    etag = _etag(request, entry)
    if not_modified(request, etag):
        response = HttpResponseNotModified()
    else:
        gzipped = "gzip" in entry and accepts_gzip(request)
        response = HttpResponse(entry["gzip"] if gzipped else _body(request, entry))
        for header, value in entry["headers"].items():
            response[header] = value
        if gzipped:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
    patch_cache_control(response, **({"private": True} if entry["forms"] else {"public": True}), no_cache=True)
    return response


def _body(request, entry: dict) -> bytes:
    body = entry["body"]
    if entry["forms"]:
        body = body.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    if entry["nonce"]:
        body = body.replace(NONCE_PLACEHOLDER.encode(), str(request.csp_nonce).encode())
    return body


def _storable(request, response) -> bool:
    session = getattr(request, "session", None)
    return (response.status_code == 200 and not response.streaming and not response.cookies
            and not (session is not None and session.modified) and not response.has_header("Content-Encoding"))


def _lookup(key: str) -> dict | None:
    """The entry under `key`: this process's copy, else Redis's (then kept here)."""
    entry = _recent.get(key)
    if entry is None:
        entry = cache.get(key)
        if entry is not None:
            _keep(key, entry)
    return entry


def _keep(key: str, entry: dict) -> None:
    _recent.put(key, entry, len(entry["body"]) + len(entry.get("gzip", b"")))


def _fill(request, key: str, ttl: int, render) -> tuple[dict | None, HttpResponse | None]:
    """Render a missing page once for everyone: when a burst meets a new version (a write replaced a token),
    one process renders it while the others wait for its copy (up to FILL_WAIT s) instead of all computing the
    same page at once. (entry, None), or (None, the response) when the page is not to be shared."""
    lock = key + ":filling"
    if not cache.add(lock, 1, FILL_LOCK_SECONDS):
        deadline = time.monotonic() + FILL_WAIT
        while cache.get(lock) is not None and time.monotonic() < deadline:  # None: released, or cache down
            time.sleep(FILL_POLL)
            entry = _lookup(key)
            if entry is not None:
                return entry, None
        lock = None  # not ours: render without it
    try:
        response = render()
        if not _storable(request, response):
            return None, response
        entry = _entry(request, response)
        if entry is None:
            return None, response
        cache.set(key, entry, ttl)
        _keep(key, entry)
        return entry, None
    finally:
        if lock is not None:
            cache.delete(lock)


def shared_page(name: str, *, tokens: Callable[..., dict[str, int | None]], ttl: int):
    """Serve the decorated GET view from the shared cache for anonymous, session-less visitors (module docstring).
    `tokens(request, *args, **kwargs)`: the cache keys of the version tokens of what the page shows, each with
    the timeout of a token created when missing (`version_tokens`); `ttl`: seconds the page is kept.
    SharedPageMiddleware answers the stored copy; the view runs on its miss, and this stores what it renders."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            key = getattr(request, "_shared_page_key", None)  # SharedPageMiddleware's miss of a shareable request
            if key is None:  # not shareable: the page rendered for this visitor
                response = view(request, *args, **kwargs)
                patch_cache_control(response, private=True, no_cache=True)
                return response
            entry, response = _fill(request, key, ttl, lambda: view(request, *args, **kwargs))
            return response if entry is None else _serve(request, entry)

        wrapper.shared_page = (name, tokens)  # functools.wraps carries it to the outer decorators
        return wrapper

    return decorator


class SharedPageMiddleware:
    """The shared copy of a page (the home page, the board, a tracking page, the report form), answered before
    the session, CSRF, auth, messages, locale and replica middleware, which would do nothing for a session-less
    visitor: about half of a cached page's time. Placed after SecurityMiddleware, CSPMiddleware (whose nonce
    the copy takes) and WhiteNoise, whose headers it keeps; it does what the skipped ones would: the CSRF
    middleware's reading and setting of the csrftoken cookie for a page with a form (its own instance of
    Django's CsrfViewMiddleware), Content-Language, Vary: Cookie, X-Frame-Options. Any other request goes on
    unchanged; a page not cached yet is rendered by its view, whose decorator stores it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        response = self._shared(request) if shareable(request) else None
        return response if response is not None else self.get_response(request)

    def _shared(self, request):
        from .middleware import ACCEPT_LANGUAGE_PATHS, chosen_language

        if request.path_info.startswith(ACCEPT_LANGUAGE_PATHS):
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        spec = getattr(match.func, "shared_page", None)
        if spec is None:
            return None
        name, tokens = spec
        language = chosen_language(request)
        with translation.override(language):
            key = _page_key(name, request, tokens(request, *match.args, **match.kwargs))
        entry = _lookup(key)
        if entry is None:
            request._shared_page_key = key  # the view's decorator renders and stores it: one lookup per request
            return None
        if entry["forms"]:
            self.csrf.process_request(request)  # the visitor's secret from its csrftoken cookie, if any
        response = _serve(request, entry)
        response["Content-Language"] = language
        response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return self.csrf.process_response(request, response)  # sets the cookie only if the page used the token
