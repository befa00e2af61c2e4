"""The hot pages read a fixed number of queries, however many cases there are: each is pinned to a bound
(measured, plus a small margin) and checked again after more cases arrive.

Measured on SQLite with an empty cache (the figures are cached, a warm page reads fewer): dashboard 38,
board 30, map points 1, tracking page 6, staff case page 10; the dashboard's and the board's bounds leave room
for PostgreSQL's two SET LOCAL of the figures' transaction. A report POST (web form, REST, Open311), in a
process that has served a request before (its reference copies warm), makes the same queries for the 1st
and the 20th report: 13 / 8 / 8 (the web form's 13 include its new session's two; the web form made 50 before).
Every bound counts the savepoints (SAVEPOINT / RELEASE) of the report's transactions inside the test's.
These are the pages of a logged-in visitor, rendered for them; an anonymous visitor's next read of /, /board/,
/report/ or a tracking page comes from the shared copy and reads no query at all (tests/test_public_cache.py
pins it at 0)."""
import pytest
from django.core.cache import cache
from django.urls import reverse

from feedback.services import case_actions as actions
from feedback.lifecycle import Outcome
from tests.factories import make_report, make_staff
from tests.feedback.services.test_case_actions import jpeg
from tests.feedback.test_report_form import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cold_cache():
    cache.clear()


def busy_agency(n: int, officer) -> list:
    """n reports to UBND Phường Hoàn Kiếm, half of them answered (with a proof photo), each with a photo."""
    cases = [make_report(photos=[jpeg(f"r{i}.jpg")]) for i in range(n)]
    for case in cases[: n // 2]:
        actions.resolve_case(case=case, actor=officer, outcome=Outcome.FIXED, reply="Đã xử lý xong",
                             proof_photos=[jpeg()])
    return cases


def count(django_assert_max_num_queries, bound, get):
    cache.clear()
    warm_process()  # the per-process copies read the new tokens now, not during the page (when a second passed)
    with django_assert_max_num_queries(bound) as captured:
        response = get()
    assert response.status_code in (200, 302), response.status_code
    return len(captured.captured_queries)


PAGES = {
    # name: (bound, how to get it)
    "dashboard": (44, lambda c, case: c.get(reverse("dashboard:index"))),
    "board": (36, lambda c, case: c.get(reverse("board:index"))),
    "map points": (2, lambda c, case: c.get(reverse("feedback:map_data"))),
    "tracking page": (8, lambda c, case: c.get(reverse("feedback:track", args=[case.tracking_code]))),
    "staff case page": (12, lambda c, case: c.get(reverse("staff:case", args=[case.tracking_code]))),
}


@pytest.mark.parametrize("page", PAGES)
def test_a_hot_page_reads_a_fixed_number_of_queries(client, django_assert_max_num_queries, page):
    bound, get = PAGES[page]
    manager = make_staff("hk_manager_q", role="manager")
    leader = make_staff("leader_q", role="leader", agency_code=None)
    client.force_login(leader if page == "dashboard" else manager)
    cases = busy_agency(2, manager)
    few = count(django_assert_max_num_queries, bound, lambda: get(client, cases[0]))
    cases += busy_agency(8, manager)
    assert count(django_assert_max_num_queries, bound, lambda: get(client, cases[0])) <= few


def warm_process():
    """What a running server process holds after its first request: the ward index and the per-process copies
    of the routing tables, the API clients and the calendar (ihanoi/snapshots.py)."""
    from agencies import reference
    from agencies.selectors import ward_index
    from feedback.clocks.deadlines import city_calendar
    from feedback.open311.selectors import active_clients
    from ihanoi import snapshots

    # Built now, not kept from an earlier test: a copy older than MAX_AGE whose once-a-second check is still
    # pending would be rebuilt by the first POST, one second later, and counted against it.
    for snapshot in {s for group in snapshots._of_model.values() for s in group}:
        snapshot.forget()
    ward_index(), reference.tables(), active_clients.get(), city_calendar()


OPEN311_KEY = "partner-key-0123456789abcdef"

# One report through each channel as its clients send it (the benchmark's requests, benchmarks/http_load.py):
# name → (the most queries it may make, the request, the answer's status)
POSTS = {
    "web form": (13, lambda: dict(path="/report/", data=form_data()), 302),
    "REST": (8, lambda: dict(path="/api/v1/reports/", content_type="application/json", data={
        "topic": "waste", "description": "Rác tồn đọng ba ngày ở đầu ngõ 12 Hàng Bài", "latitude": 21.0288,
        "longitude": 105.8525, "email": "lan@example.com"}), 201),
    "Open311": (8, lambda: dict(path="/api/georeport/v2/requests.json", data={
        "api_key": OPEN311_KEY, "service_code": "waste", "lat": "21.0288", "long": "105.8525",
        "description": "Rác tồn đọng ba ngày ở đầu ngõ 12 Hàng Bài", "email": "lan@example.com",
        "first_name": "Lan", "last_name": "Nguyễn"}), 201),
}


@pytest.mark.parametrize("channel", POSTS)
def test_a_report_post_makes_the_same_few_queries_whatever_came_before(client, channel):
    """The 1st and the 20th report through a channel make the same queries, and at most the bound: nothing
    but the rows of the report itself (case, its tally-day mark, its events, photo, receipt; the web form's
    session), however many cases, rules or clients there are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from feedback.api_clients import set_api_key
    from feedback.models import ApiClient
    from feedback.open311.selectors import active_clients

    bound, request, status = POSTS[channel]
    set_api_key(client=ApiClient(name="partner-q"), api_key=OPEN311_KEY)
    # In a server the partner's key was issued long before (committed): the process keeps its copy of the
    # clients. Inside this test's transaction the copy would be rebuilt at each use (ihanoi/snapshots.py).
    active_clients._dirty = None
    warm_process()

    def post():  # from a new visitor each time (no session yet), as most reports are
        client.cookies.clear()
        kwargs = request()
        with CaptureQueriesContext(connection) as captured:
            response = client.post(**kwargs)
        assert response.status_code == status, response.content[:300]
        return [q["sql"] for q in captured.captured_queries]

    first = post()
    for i in range(18):
        make_report(description=f"Rác tồn đọng ở ngõ {i} nhiều ngày")
    busy_agency(2, make_staff("hk_officer_q"))
    twentieth = post()
    assert len(first) == len(twentieth) <= bound, "\n".join(twentieth)
