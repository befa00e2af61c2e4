"""Burst reads (issue 16): the public pages are served to anonymous visitors from a shared cache of rendered
bodies (ihanoi/page_cache.py) with ETag, 304 and Cache-Control, no cookie on pages without a form, a CSRF
token and a CSP nonce of their own on the others, and a case change shown on the very next read."""
from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from feedback.lifecycle import Outcome
from feedback.services import case_actions as actions
from feedback.services import citizen
from tests.factories import make_report, make_staff
from tests.feedback.test_report_form import form_data
from tests.test_cache import redis_down  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _cold_cache():
    cache.clear()


@pytest.fixture
def case():
    return make_report()


def pages(case) -> dict[str, str]:
    return {"home": "/", "board": reverse("board:index"), "report": reverse("feedback:report"),
            "track": reverse("feedback:track", args=[case.tracking_code])}


FORM_PAGES = {"report", "track"}


@pytest.mark.parametrize("page", ["home", "board", "report", "track"])
def test_a_conditional_get_is_answered_304_with_the_same_etag(client, case, page):
    url = pages(case)[page]
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"].startswith('W/"')
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"] and not again.content
    assert client.get(url, HTTP_IF_NONE_MATCH='W/"something-else"').status_code == 200


@pytest.mark.parametrize("page", ["home", "board", "report", "track"])
def test_public_pages_say_how_they_may_be_cached(client, case, page):
    control = client.get(pages(case)[page])["Cache-Control"]
    assert "no-cache" in control
    # a page with a form carries the visitor's token: no shared cache may keep it
    assert ("private" if page in FORM_PAGES else "public") in control


@pytest.mark.parametrize("page", ["home", "board"])
def test_a_page_without_a_form_sets_no_cookie(client, case, page):
    for _ in range(2):  # rendered, then from the cache
        response = client.get(pages(case)[page])
        assert response.status_code == 200
        assert "csrftoken" not in response.cookies and not response.cookies
        assert "csrfmiddlewaretoken" not in response.content.decode()


@pytest.mark.parametrize("page", ["home", "board", "report", "track"])
def test_the_next_anonymous_reader_reads_no_query(client, case, page, django_assert_num_queries):
    url = pages(case)[page]
    assert client.get(url).status_code == 200
    with django_assert_num_queries(0):
        assert Client().get(url).status_code == 200


def test_two_visitors_of_a_cached_form_page_get_their_own_token_and_nonce(case):
    url = reverse("feedback:report")
    seen = []
    for _ in range(3):
        response = Client().get(url)
        body = response.content.decode()
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        assert f'nonce="{nonce}"' in body  # the inline map script runs under this response's policy
        tokens = set(TOKEN.findall(body))
        assert len(tokens) == 1 and "\x00" not in body
        seen.append((response.cookies["csrftoken"].value, tokens.pop(), nonce))
    assert len({s[0] for s in seen}) == 3 and len({s[1] for s in seen}) == 3 and len({s[2] for s in seen}) == 3


def test_the_token_of_a_cached_tracking_page_passes_the_csrf_check(case):
    url = reverse("feedback:track", args=[case.tracking_code])
    Client().get(url)  # fills the cache
    visitor = Client(enforce_csrf_checks=True)
    token = TOKEN.search(visitor.get(url).content.decode()).group(1)
    response = visitor.post(reverse("feedback:support", args=[case.tracking_code]),
                            {"csrfmiddlewaretoken": token, "name": "", "email": "", "phone": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.support_count == 1


def test_the_token_of_a_cached_report_form_passes_the_csrf_check(case):
    Client().get("/report/")
    visitor = Client(enforce_csrf_checks=True)
    token = TOKEN.search(visitor.get("/report/").content.decode()).group(1)
    assert visitor.post("/report/", form_data(csrfmiddlewaretoken=token)).status_code == 302
    assert Client(enforce_csrf_checks=True).post("/report/", form_data(csrfmiddlewaretoken=token)).status_code == 403


def _status(body: str) -> str:
    return re.search(r'class="badge status-([a-z_]+)"', body).group(1)


def test_a_status_change_and_a_new_event_show_on_the_next_read(client, case):
    url = reverse("feedback:track", args=[case.tracking_code])
    manager = make_staff("hk_manager_pc", role="manager")
    before = client.get(url).content.decode()
    actions.accept_case(case=case, actor=manager)
    case.refresh_from_db()
    assert _status(client.get(url).content.decode()) == case.status != _status(before)
    actions.reply_case(case=case, actor=manager, text="Đã cử người kiểm tra hố ga")
    assert "Đã cử người kiểm tra hố ga" in client.get(url).content.decode()


def test_a_change_shows_on_the_tracking_page_under_any_spelling_of_its_code(client, case):
    url = reverse("feedback:track", args=[case.tracking_code.lower()])
    client.get(url)
    actions.reply_case(case=case, actor=make_staff("hk_manager_lc", role="manager"), text="Đang xử lý hố ga")
    assert "Đang xử lý hố ga" in client.get(url).content.decode()


def test_a_me_too_shows_on_the_next_read(client, case):
    url = reverse("feedback:track", args=[case.tracking_code])
    client.get(url)
    citizen.add_support(case=case, name="Hùng")
    assert 'class="supporters"' in client.get(url).content.decode()


def _received(body: str) -> str:
    return re.search(r'data-figure="received">([^<]*)<', body).group(1)


def test_a_new_report_and_a_resolution_show_on_the_next_read_of_the_board(client, case):
    url = reverse("board:index")
    before = _received(client.get(url).content.decode())
    make_report()
    assert _received(client.get(url).content.decode()) != before
    handled = re.search(r'data-figure="handled">([^<]*)<', client.get(url).content.decode()).group(1)
    actions.resolve_case(case=case, actor=make_staff("hk_manager_pb", role="manager"),
                         outcome=Outcome.NOT_FIXED_SCHEDULED, reply="Đã lên lịch thu gom vào thứ Hai")
    assert re.search(r'data-figure="handled">([^<]*)<', client.get(url).content.decode()).group(1) != handled


def test_a_visitor_with_a_session_is_not_served_the_shared_page(client, case):
    url = reverse("feedback:track", args=[case.tracking_code])
    Client().get(url)  # the shared copy
    client.force_login(make_staff("officer_pc"))
    response = client.get(url)
    assert "logout" in response.content.decode() and "private" in response["Cache-Control"]
    assert "ETag" not in response


def test_the_reporter_sees_their_private_link_not_the_shared_page(client):
    Client().get("/report/")
    response = client.post("/report/", form_data())
    code = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    Client().get(response["Location"])  # an anonymous reader fills the shared copy first
    body = client.get(response["Location"]).content.decode()
    assert "private-link" in body and "?key=" in body, code


def test_the_shared_page_follows_the_language_cookie(client, case, english):
    url = reverse("board:index")
    vietnamese = Client().get(url).content.decode()
    assert 'lang="vi"' in vietnamese
    assert '<html lang="en">' in english.get(url).content.decode()


def test_the_language_switch_is_a_link_that_sets_the_cookie_and_goes_back(client):
    body = client.get("/report/").content.decode()
    link = re.search(r'href="(/i18n/switch/\?language=en&amp;next=[^"]+)"', body).group(1).replace("&amp;", "&")
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == "/report/"
    assert response.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get("/report/").content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_the_language_switch_never_leaves_the_site(client, target):
    response = client.get(reverse("switch_language"), {"language": "en", "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


def test_an_unknown_language_changes_nothing(client):
    response = client.get(reverse("switch_language"), {"language": "xx", "next": "/"})
    assert response.status_code == 302 and "django_language" not in response.cookies


def test_a_client_that_accepts_gzip_gets_the_board_compressed(client, case):
    import gzip

    plain = client.get(reverse("board:index")).content
    packed = client.get(reverse("board:index"), HTTP_ACCEPT_ENCODING="gzip, br")
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain and len(packed.content) < len(plain) / 3


def test_with_the_cache_down_the_pages_are_rendered(redis_down, client, case):  # noqa: F811
    for url in pages(case).values():
        assert client.get(url).status_code == 200, url
        assert client.get(url).status_code == 200, url


def _per_visitor(text: str) -> str:
    """The text without what differs between two visitors of one page: CSRF tokens and CSP nonces."""
    return re.sub(r"nonce-[^']+'|nonce=\"[^\"]+\"", "nonce", TOKEN.sub("token", text))


@pytest.mark.parametrize("page", ["home", "board", "report", "track"])
def test_a_shared_copy_keeps_the_headers_of_a_rendered_page(client, case, page):
    url = pages(case)[page]
    rendered = client.get(url)
    shared = Client().get(url)
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Language", "Content-Type",
                   "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy", "Cache-Control"):
        assert _per_visitor(shared[header]) == _per_visitor(rendered[header]), header
    assert "Cookie" in shared["Vary"]
    assert _per_visitor(shared.content.decode()) == _per_visitor(rendered.content.decode())
    if page in FORM_PAGES:  # the csrftoken cookie is set as Django's CSRF middleware sets it
        new, first = shared.cookies["csrftoken"], rendered.cookies["csrftoken"]
        assert new.value != first.value
        assert {k: new[k] for k in ("path", "samesite", "secure", "httponly", "max-age", "domain")} == {
            k: first[k] for k in ("path", "samesite", "secure", "httponly", "max-age", "domain")}


@pytest.mark.parametrize("page", ["report", "track"])
def test_a_returning_visitor_of_a_cached_form_page_keeps_its_csrf_cookie(case, page):
    url = pages(case)[page]
    Client().get(url)  # fills the cache
    visitor = Client(enforce_csrf_checks=True)
    first = visitor.get(url)
    secret = first.cookies["csrftoken"].value
    again = visitor.get(url)
    # the same secret (Django sends the cookie again to renew its expiry, as for a rendered page)
    assert again.status_code == 200 and again.cookies["csrftoken"].value == secret
    token = TOKEN.search(again.content.decode()).group(1)
    assert visitor.post("/report/", form_data(csrfmiddlewaretoken=token)).status_code == 302


def test_a_burst_on_a_new_version_waits_for_the_one_render_in_progress(client, case, monkeypatch,
                                                                       django_assert_num_queries):
    from django.test import RequestFactory
    from django.utils import translation

    from feedback import page_tokens
    from ihanoi import page_cache

    rendered = Client().get("/")  # what the other process's render will store
    request = RequestFactory().get("/")
    with translation.override("vi"):
        key = page_cache._page_key("home", request, page_tokens.topic_tokens(request))
    entry = cache.get(key)
    cache.delete(key)
    cache.add(key + ":filling", 1, 10)  # another process is rendering this version

    def other_render_finishes(seconds):
        cache.set(key, entry, 60)

    monkeypatch.setattr(page_cache.time, "sleep", other_render_finishes)
    with django_assert_num_queries(0):  # this request waited, it did not render
        assert client.get("/").content == rendered.content


def test_a_new_report_writes_no_page_token_but_its_first_change_does(client):
    """Only 200 answers are stored, so a new case has no shared copy to retire: its report POST makes no token
    write (a Redis round trip each, twice with the one at commit); its first change after that does."""
    case = make_report()
    key = f"page:track-v:{case.tracking_code}"
    assert cache.get(key) is None
    url = reverse("feedback:track", args=[case.tracking_code])
    first = client.get(url)
    assert first.status_code == 200 and case.tracking_code in first.content.decode()
    token = cache.get(key)
    actions.reply_case(case=case, actor=make_staff("hk_manager_nt", role="manager"), text="Đã tiếp nhận hố ga")
    assert cache.get(key) not in (None, token)
    assert "Đã tiếp nhận hố ga" in client.get(url).content.decode()
