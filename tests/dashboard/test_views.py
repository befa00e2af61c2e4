import csv
import io
import json
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboard import figures as stats
from tests.factories import make_report, make_staff
from tests.dashboard.known_cases import (
    A, B, BY_AGENCY, CASES_BEHIND, REPORTER_EMAIL, REPORTER_NAME, REPORTER_PHONE, TOTALS,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache", "english")]


@pytest.fixture
def leader(client):
    user = make_staff("city_leader", role="leader", agency_code=None)
    client.force_login(user)
    return user


def _q(known, **extra):
    return {"from": known.period.start.isoformat(), "to": known.period.end.isoformat(), **extra}


def figure(html: str, name: str) -> str:
    """The text shown for data-figure=name (first occurrence), links unwrapped."""
    m = re.search(rf'data-figure="{name}"[^>]*>(?:<a [^>]*>)?([^<]*)', html)
    assert m, name
    return m.group(1).strip()


def table_row(html: str, group: str, code: str) -> str:
    table = html.split(f'id="table-{group}"', 1)[1].split("</table>", 1)[0]
    return table.split(f'data-code="{code}"', 1)[1].split("</tr>", 1)[0]


def read_csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


class DashboardPageTests:
    def test_the_page_shows_the_known_figures(self, client, leader, known):
        r = client.get(reverse("dashboard:index"), _q(known))
        assert r.status_code == 200
        html = r.content.decode()
        for name in ("received", "handled", "fixed", "overdue"):
            assert figure(html, name) == str(TOTALS[name]), name
        assert figure(html, "on_time_rate") == "50.0 %"
        assert figure(html, "handled_rate") == "62.5 %"
        assert figure(html, "fixed_rate") == "37.5 %"
        assert figure(html, "accept_on_time_rate") == "71.4 %"
        assert figure(html, "avg_hours") == "16.5"
        assert figure(html, "median_hours") == "15.0"
        assert figure(html, "rating_avg") == "3.7"
        assert figure(html, "satisfied_share") == "66.7 %"
        assert figure(html, "reopen_rate") == "16.7 %"
        assert "How the figures are counted" in html

    def test_agency_table_rows(self, client, leader, known):
        html = client.get(reverse("dashboard:index"), _q(known)).content.decode()
        for code, (received, handled, on_time, late, pending, overdue) in BY_AGENCY.items():
            row = table_row(html, "agency", code)
            assert figure(row, "received") == str(received)
            assert figure(row, "on_time") == str(on_time) and figure(row, "late") == str(late)
            assert figure(row, "overdue") == str(overdue)
        assert figure(table_row(html, "agency", A), "on_time_rate") == "50.0 %"
        assert figure(table_row(html, "ward", "00070"), "received") == "7"
        assert figure(table_row(html, "topic", "waste"), "received") == "6"

    def test_the_overdue_list_is_oldest_first_and_links_to_the_case(self, client, leader, known):
        html = client.get(reverse("dashboard:index"), _q(known)).content.decode()
        overdue = html.split('id="overdue"', 1)[1]
        c8, c4 = known.cases["c8"].tracking_code, known.cases["c4"].tracking_code
        assert overdue.index(c8) < overdue.index(c4)
        assert f'href="/track/{c8}/"' in overdue

    def test_trend_data_for_the_chart(self, client, leader, known):
        html = client.get(reverse("dashboard:index"), _q(known)).content.decode()
        data = json.loads(re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', html).group(1))
        assert len(data["labels"]) >= 12 and sum(data["received"]) == 9

    def test_a_bad_period_is_a_clear_400(self, client, leader, known):
        r = client.get(reverse("dashboard:index"), {"from": "2026-05-10", "to": "2026-05-01"})
        assert r.status_code == 400
        assert "start of the period must be on or before its end" in r.content.decode()
        r = client.get(reverse("dashboard:index"), {"from": "yesterday"})
        assert r.status_code == 400 and "valid date" in r.content.decode()
        r = client.get(reverse("dashboard:index"), {"agency": "no-such-agency"})
        assert r.status_code == 400


class DrillDownTests:
    @pytest.mark.parametrize("metric", ["late", "pending", "overdue", "fixed", "accept_late", "reopened"])
    def test_each_number_opens_the_list_of_its_cases(self, client, leader, known, metric):
        r = client.get(reverse("dashboard:cases"), _q(known, metric=metric))
        assert r.status_code == 200
        html = r.content.decode()
        assert re.search(r"data-count>(\d+)<", html).group(1) == str(len(CASES_BEHIND[metric]))
        for name, case in known.cases.items():
            assert (case.tracking_code in html) == (name in CASES_BEHIND[metric]), name

    def test_drill_links_on_the_dashboard_lead_to_the_same_count(self, client, leader, known):
        html = client.get(reverse("dashboard:index"), _q(known)).content.decode()
        row = table_row(html, "agency", A)
        href = re.search(r'data-figure="late"><a href="([^"]+)"', row).group(1).replace("&amp;", "&")
        listing = client.get(href).content.decode()
        assert re.search(r"data-count>(\d+)<", listing).group(1) == "2"
        assert known.cases["c2"].tracking_code in listing and known.cases["c4"].tracking_code in listing

    def test_unknown_metric_is_400(self, client, leader, known):
        assert client.get(reverse("dashboard:cases"), _q(known, metric="bogus")).status_code == 400


class ExportTests:
    def test_agency_table_csv_matches_the_selector(self, client, leader, known):
        r = client.get(reverse("dashboard:export_table", args=["agency", "csv"]), _q(known))
        assert r.status_code == 200 and r.streaming
        rows = {row["agency"]: row for row in read_csv(r)}
        for code, (received, handled, on_time, late, pending, overdue) in BY_AGENCY.items():
            assert (int(rows[code]["received"]), int(rows[code]["handled"]), int(rows[code]["on_time"]),
                    int(rows[code]["late"]), int(rows[code]["pending"]), int(rows[code]["overdue"])) == (
                received, handled, on_time, late, pending, overdue)
        assert float(rows[A]["on_time_rate"]) == 0.5

    @pytest.mark.parametrize("group", ["ward", "topic", "month"])
    def test_every_table_exports(self, client, leader, known, group):
        rows = read_csv(client.get(reverse("dashboard:export_table", args=[group, "csv"]), _q(known)))
        assert sum(int(r["received"]) for r in rows) == (9 if group == "month" else 8)

    def test_xlsx_of_a_table(self, client, leader, known):
        r = client.get(reverse("dashboard:export_table", args=["agency", "xlsx"]), _q(known))
        assert r.status_code == 200
        ws = load_workbook(io.BytesIO(r.content), read_only=True).active
        rows = list(ws.iter_rows(values_only=True))
        header = rows[0]
        by_code = {row[0]: dict(zip(header, row)) for row in rows[1:]}
        assert by_code[B]["received"] == 3 and by_code[B]["pending"] == 2

    def test_cases_csv_streams_the_cases_behind_a_number_without_contact_data(self, client, leader, known):
        r = client.get(reverse("dashboard:export_cases"), _q(known, metric="handled"))
        assert r.streaming
        rows = read_csv(r)
        assert {row["tracking_code"] for row in rows} == {known.cases[n].tracking_code for n in CASES_BEHIND["handled"]}
        flat = json.dumps(rows, ensure_ascii=False)
        assert REPORTER_EMAIL not in flat and REPORTER_PHONE not in flat and REPORTER_NAME not in flat

    def test_unknown_format_is_404(self, client, leader, known):
        assert client.get("/dashboard/export/agency.pdf").status_code == 404


class PermissionTests:
    def test_anonymous_is_sent_to_log_in(self, client):
        r = client.get(reverse("dashboard:index"))
        assert r.status_code == 302 and reverse("login") in r["Location"]

    @pytest.mark.parametrize("url", ["dashboard:index", "dashboard:cases", "dashboard:wards", "dashboard:export_cases"])
    def test_officers_dispatchers_and_citizens_get_403(self, client, url, django_user_model):
        for user in (make_staff("off", role="officer"), make_staff("disp", role="dispatcher", agency_code=None),
                     django_user_model.objects.create_user("someone")):
            client.force_login(user)
            assert client.get(reverse(url)).status_code == 403

    def test_a_manager_sees_the_own_agency_slice_only(self, client, known):
        client.force_login(make_staff("mgr", role="manager", agency_code=B))
        html = client.get(reverse("dashboard:index"), _q(known)).content.decode()
        assert figure(html, "received") == "3"
        assert f'data-code="{B}"' in html and f'data-code="{A}"' not in html
        listing = client.get(reverse("dashboard:cases"), _q(known, metric="received")).content.decode()
        assert known.cases["c1"].tracking_code not in listing and known.cases["c5"].tracking_code in listing

    def test_a_manager_cannot_widen_the_slice_with_a_filter(self, client, known):
        client.force_login(make_staff("mgr", role="manager", agency_code=B))
        assert client.get(reverse("dashboard:index"), _q(known, agency=A)).status_code == 400

    def test_nav_shows_the_dashboard_to_leaders_only(self, client, known):
        assert 'href="/dashboard/"' not in client.get("/").content.decode()
        assert 'href="/board/"' in client.get("/").content.decode()
        client.force_login(make_staff("ldr", role="leader", agency_code=None))
        assert 'href="/dashboard/"' in client.get("/").content.decode()


class BoardTests:
    def test_public_board_needs_no_login_and_shows_agencies_and_wards(self, client):
        case = make_report(email=REPORTER_EMAIL)
        r = client.get(reverse("board:index"))
        assert r.status_code == 200
        html = r.content.decode()
        assert figure(html, "received") == "1"
        assert 'id="table-agency"' in html and 'id="table-ward"' in html
        # the official name, as on the tracking page and in the emails, not the short "UBND Hoàn Kiếm"
        assert "UBND Phường Hoàn Kiếm" in html and case.agency.short_name not in html

    def test_board_shows_no_personal_data(self, client):
        case = make_report(email=REPORTER_EMAIL)
        from feedback.models import Case

        Case.objects.filter(pk=case.pk).update(reporter_name=REPORTER_NAME, reporter_phone=REPORTER_PHONE)
        stats.bump_version()
        for url in (reverse("board:index"), reverse("board:wards")):
            body = client.get(url).content.decode()
            for secret in (REPORTER_EMAIL, REPORTER_NAME, REPORTER_PHONE, case.tracking_code, case.description):
                assert secret not in body, (url, secret)

    def test_board_is_live_a_new_case_shows_at_once(self, client):
        make_report()
        assert figure(client.get(reverse("board:index")).content.decode(), "received") == "1"
        make_report()
        assert figure(client.get(reverse("board:index")).content.decode(), "received") == "2"

    def test_ward_geojson_has_every_ward_with_its_rate(self, client):
        make_report()
        data = json.loads(client.get(reverse("board:wards")).content)
        assert len(data["features"]) == 126
        hk = next(f for f in data["features"] if f["properties"]["code"] == "00070")
        assert hk["properties"]["received"] == 1 and hk["properties"]["pending"] == 1
        assert hk["properties"]["on_time_rate"] is None
        assert hk["geometry"]["type"] in ("Polygon", "MultiPolygon")

    def test_simplified_map_is_much_smaller_than_the_boundaries(self, client):
        from agencies.models import Ward

        full = len(json.dumps(list(Ward.objects.values_list("boundary", flat=True))))
        assert len(client.get(reverse("board:wards")).content) < full / 2

    def test_dashboard_map_is_the_slice(self, client, known):
        client.force_login(make_staff("ldr", role="leader", agency_code=None))
        data = json.loads(client.get(reverse("dashboard:wards"), _q(known)).content)
        hk = next(f for f in data["features"] if f["properties"]["code"] == "00070")
        assert hk["properties"]["on_time"] == 3 and hk["properties"]["late"] == 2


class StaffPageAgreesWithTheDashboardTests:
    """One on-time definition: a manager's staff-queue figures are the dashboard's, on a known set of cases."""

    def test_the_same_cases_give_the_same_figures(self, client):
        from datetime import timedelta

        from django.utils import timezone

        from feedback.services import case_actions as actions
        from feedback.lifecycle import Outcome
        from feedback.models import Case
        from tests.feedback.services.test_case_actions import jpeg as photo

        manager = make_staff("hk_manager_known", role="manager")
        on_time, late, overdue, pending = (make_report() for _ in range(4))
        past = timezone.now() - timedelta(hours=1)
        Case.objects.filter(pk__in=[late.pk, overdue.pk]).update(due_at=past)
        late.refresh_from_db()
        for case in (on_time, late):
            actions.resolve_case(case=case, actor=manager, outcome=Outcome.FIXED, reply="Đã sửa",
                                 proof_photos=[photo()])
        client.force_login(manager)

        staff = client.get(reverse("staff:queue"))
        perf = staff.context["performance"]
        today = timezone.localdate()
        html = client.get(reverse("dashboard:index"), {
            "from": (today - timedelta(days=29)).isoformat(), "to": today.isoformat()}).content.decode()
        # handled 2 of 4; on time 1, late 2 (answered late + open past due), pending 1 (not counted)
        assert (perf["received"], perf["answered"], perf["open_overdue"]) == (4, 2, 1)
        assert figure(html, "received") == "4" and figure(html, "handled") == "2" and figure(html, "overdue") == "1"
        assert perf["on_time_pct"] == 33 and figure(html, "on_time_rate") == "33.3 %"
        assert 'data-figure="on_time">33%' in staff.content.decode()
