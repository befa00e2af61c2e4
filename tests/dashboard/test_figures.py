from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard import figures as stats
from feedback.lifecycle import CaseStatus, Outcome
from feedback.clocks.calendar import TZ
from tests.factories import make_report
from tests.dashboard.known_cases import (
    A, B, BY_AGENCY, CASES_BEHIND, TOTAL_VALUES, TOTALS, set_lifecycle,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def _city():
    return stats.sliced_cases(None, stats.CITY)


class TotalsTests:
    def test_every_count_matches_the_hand_built_set(self, known):
        figures = stats.totals(cases=_city(), period=known.period)
        assert {k: getattr(figures, k) for k in TOTALS} == TOTALS

    def test_rates_averages_and_median(self, known):
        figures = stats.totals(cases=_city(), period=known.period)
        for name, expected in TOTAL_VALUES.items():
            assert getattr(figures, name) == pytest.approx(expected), name

    def test_on_time_plus_late_plus_pending_is_received(self, known):
        f = stats.totals(cases=_city(), period=known.period)
        assert f.on_time + f.late + f.pending == f.received

    def test_not_fixed_is_handled_but_not_fixed(self, known):
        behind = stats.cases_behind(cases=_city(), metric="fixed", period=known.period)
        assert known.cases["c2"].pk not in set(behind.values_list("pk", flat=True))
        handled = stats.cases_behind(cases=_city(), metric="handled", period=known.period)
        assert known.cases["c2"].pk in set(handled.values_list("pk", flat=True))

    def test_empty_period_gives_no_rates(self, known):
        f = stats.totals(cases=_city(), period=stats.Period(known.period.start - timedelta(days=400),
                                                              known.period.start - timedelta(days=370)))
        assert f.received == 0 and f.on_time_rate is None and f.avg_hours is None and f.median_hours is None

    def test_scope_narrows_to_one_agency(self, known):
        f = stats.totals(cases=_city(), period=known.period, scope=stats.Scope(agency_id=known.agency_b.pk))
        assert (f.received, f.on_time, f.late, f.pending) == (3, 1, 0, 2)


class CasesBehindTests:
    @pytest.mark.parametrize("metric", sorted(CASES_BEHIND))
    def test_the_list_behind_each_number_is_exactly_its_cases(self, known, metric):
        pks = set(stats.cases_behind(cases=_city(), metric=metric, period=known.period).values_list("pk", flat=True))
        assert pks == {known.cases[name].pk for name in CASES_BEHIND[metric]}

    def test_unknown_metric_is_refused(self, known):
        with pytest.raises(ValueError):
            stats.cases_behind(cases=_city(), metric="nonsense", period=known.period)

    def test_overdue_list_is_oldest_due_first(self, known):
        codes = list(stats.overdue_cases(cases=_city()).values_list("tracking_code", flat=True))
        assert codes == [known.cases["c8"].tracking_code, known.cases["c4"].tracking_code]


class TableTests:
    def test_by_agency_counts_a_transferred_case_for_its_current_agency(self, known):
        rows = {r.code: r.figures for r in stats.table(cases=_city(), group="agency", period=known.period).rows}
        for code, expected in BY_AGENCY.items():
            f = rows[code]
            assert (f.received, f.handled, f.on_time, f.late, f.pending, f.overdue) == expected, code
        assert rows[A].on_time_rate == 0.5 and rows[B].on_time_rate == 1.0
        assert rows[known.agency_c.code].on_time_rate == 0.0

    def test_by_agency_medians(self, known):
        rows = {r.code: r.figures for r in stats.table(cases=_city(), group="agency", period=known.period).rows}
        assert rows[A].median_hours == pytest.approx(20.0)  # c1 10 h, c2 30 h
        assert rows[B].median_hours == pytest.approx(6.0)

    def test_by_ward(self, known):
        rows = {r.code: r.figures for r in stats.table(cases=_city(), group="ward", period=known.period).rows}
        assert rows["00070"].received == 7 and rows["00070"].overdue == 2
        assert rows[known.ward_2.code].received == 1 and rows[known.ward_2.code].late == 1

    def test_by_topic(self, known):
        rows = {r.code: r.figures for r in stats.table(cases=_city(), group="topic", period=known.period).rows}
        assert rows["waste"].received == 6 and rows["public-lighting"].received == 2

    def test_by_month_covers_the_trend_and_includes_the_earlier_case(self, known):
        t = stats.trend(cases=_city(), sl=stats.CITY, period=known.period)
        assert t.period.start <= known.period.start - timedelta(days=300)
        rows = {r.key: r.figures for r in t.rows}
        assert rows[known.period.start].received == 8
        earlier = stats._add_months(known.period.start, -1)
        assert rows[earlier].received == 1 and rows[earlier].late == 1

    def test_rows_sum_to_the_totals(self, known):
        total = stats.totals(cases=_city(), period=known.period)
        for group in ("agency", "ward", "topic"):
            rows = stats.table(cases=_city(), group=group, period=known.period).rows
            assert sum(r.figures.received for r in rows) == total.received, group
            assert sum(r.figures.overdue for r in rows) == total.overdue, group

    def test_one_query_per_table_plus_overdue_and_labels(self, known):
        with CaptureQueriesContext(connection) as ctx:
            stats.table(cases=_city(), group="agency", period=known.period)
        extra = 0 if connection.vendor == "postgresql" else 1  # the portable median's values_list
        assert len(ctx.captured_queries) == 3 + extra


class ManagerSliceTests:
    def test_a_manager_sees_only_the_own_agency(self, known):
        from tests.factories import make_staff

        manager = make_staff("mgr", role="manager", agency_code=B)
        sl = stats.dashboard_slice(manager)
        assert sl.agency_ids == (known.agency_b.pk,)
        data = stats.dashboard(user=manager, sl=sl, period=known.period)
        assert data.totals.received == 3
        assert [r.code for r in data.tables["agency"].rows] == [B]

    def test_officers_and_citizens_get_no_slice(self, known, django_user_model):
        from tests.factories import make_staff

        assert stats.dashboard_slice(make_staff("off", role="officer", agency_code=A)) is None
        assert stats.dashboard_slice(django_user_model.objects.create_user("citizen2")) is None


class TrendTests:
    def test_a_change_to_an_old_case_shows_in_its_month_of_the_trend(self, known):
        def earlier_row():
            t = stats.trend(cases=_city(), sl=stats.CITY, period=stats.Period.last_days(1))
            return next(r.figures for r in t.rows if r.key == stats._add_months(known.period.start, -1))

        assert earlier_row().handled == 0
        c8 = known.cases["c8"]
        c8.status, c8.outcome, c8.resolved_at = CaseStatus.RESOLVED, Outcome.FIXED, c8.due_at
        c8.save()  # post_save marks c8's receipt day stale in the tally
        assert earlier_row().handled == 1

    def test_the_city_trend_reads_the_tally_not_a_year_of_cases(self, known):
        period = stats.Period.last_days(1)
        stats.trend(cases=_city(), sl=stats.CITY, period=period)
        with CaptureQueriesContext(connection) as ctx:
            t = stats.trend(cases=_city(), sl=stats.CITY, period=period)
        assert len(t.rows) == stats.TREND_MONTHS
        sql = [q["sql"] for q in ctx.captured_queries]
        # the open cases' clock part, the stale-days check, the tally's months
        assert len(sql) == 3, sql
        assert sum('FROM "feedback_case"' in s for s in sql) == 1

    def test_a_narrowed_trend_gives_the_same_months_from_the_cases(self, known):
        city = stats.trend(cases=_city(), sl=stats.CITY, period=known.period)
        direct = stats.table(cases=_city(), group="month", period=known.period.trend(), now=None)
        assert [(r.key, r.figures.received, r.figures.late, r.figures.pending) for r in city.rows] == \
            [(r.key, r.figures.received, r.figures.late, r.figures.pending) for r in direct.rows]


class CacheTests:
    def test_a_saved_case_invalidates_the_cached_figures(self, known):
        first = stats.dashboard(user=None, sl=stats.CITY, period=known.period)
        before = first.totals.received
        case = make_report()
        set_lifecycle(case, received_at=datetime.combine(known.period.start, datetime.min.time(), TZ)
                      + timedelta(hours=10))
        assert stats.dashboard(user=None, sl=stats.CITY, period=known.period).totals.received == before + 1

    def test_a_cached_answer_costs_no_query(self, known):
        stats.dashboard(user=None, sl=stats.CITY, period=known.period)
        with CaptureQueriesContext(connection) as ctx:
            stats.dashboard(user=None, sl=stats.CITY, period=known.period)
        assert len(ctx.captured_queries) == 0

    def test_save_through_the_orm_bumps_the_version(self, known):
        v = stats.current_version()
        case = known.cases["c5"]
        case.rating = 3
        case.save()
        assert stats.current_version() != v


class RejectedThroughTransitionTests:
    def test_rejected_case_counts_as_handled(self):
        case = make_report()
        from feedback.lifecycle import EventKind
        from feedback.services import transition_case

        transition_case(case=case, to=CaseStatus.REJECTED, actor=None, kind=EventKind.REJECTED,
                        outcome=Outcome.SPAM, resolved_at=case.received_at)
        period = stats.Period.last_days(1)
        f = stats.totals(cases=_city(), period=period)
        assert (f.received, f.handled, f.rejected, f.on_time) == (1, 1, 1, 1)


class OneScanTests:
    def test_the_dashboard_agrees_with_the_separate_selectors(self, known):
        """On PostgreSQL the dashboard uses one GROUPING SETS scan; it must give the very same figures."""
        data = stats.dashboard(user=None, sl=stats.CITY, period=known.period)
        assert data.totals == stats.totals(cases=_city(), period=known.period, now=data.computed_at)
        for group in ("agency", "ward", "topic"):
            assert data.tables[group] == stats.table(cases=_city(), group=group, period=known.period,
                                                     now=data.computed_at), group


class LongPeriodMediansTests:
    def test_a_long_city_period_reads_the_middle_values_by_rank_and_gives_the_same_medians(self, known):
        """On PostgreSQL a long city period takes each group's one or two middle hours by rank from the tally's
        counts (even groups: the mean of two, as PERCENTILE_CONT); the figures equal those from the cases."""
        period = stats.Period(known.period.start - timedelta(days=200), known.period.end)
        with CaptureQueriesContext(connection) as ctx:
            data = stats.dashboard(user=None, sl=stats.CITY, period=period)
        by_rank = any("OFFSET" in q["sql"] and "resolve_working_hours" in q["sql"] for q in ctx.captured_queries)
        assert by_rank == (connection.vendor == "postgresql")
        assert data.totals.median_hours == pytest.approx(15.0)  # 6, 10, 20, 30 h
        rows = {r.code: r.figures.median_hours for r in data.tables["agency"].rows}
        assert rows[A] == pytest.approx(20.0) and rows[B] == pytest.approx(6.0)  # A: 10, 30 h; B: 6 h
        assert data.totals == stats.totals(cases=_city(), period=period, now=data.computed_at)
        for group in ("agency", "ward", "topic"):
            assert data.tables[group] == stats.table(cases=_city(), group=group, period=period,
                                                     now=data.computed_at), group
