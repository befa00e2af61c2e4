"""The hot pages read a fixed number of queries, however many cases there are: each is pinned to a bound
(measured, plus a small margin) and checked again after more cases arrive.

Measured on SQLite with an empty cache (the figures are cached, a warm page reads fewer): dashboard 38,
board 30, map points 1, tracking page 6, staff case page 10, report POST 50; the dashboard's and the board's
bounds leave room for PostgreSQL's two SET LOCAL of the figures' transaction. These are the pages of a
logged-in visitor, rendered for them; an anonymous visitor's next read of /, /board/, /report/ or a tracking
page comes from the shared copy and reads no query at all (tests/test_public_cache.py pins it at 0)."""
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


def test_the_report_post_reads_and_writes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(52) as first:
        assert client.post("/report/", form_data()).status_code == 302
    busy_agency(6, make_staff("hk_officer_q"))
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.post("/report/", form_data()).status_code == 302
