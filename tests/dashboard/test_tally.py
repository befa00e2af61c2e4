"""The daily tally behind the city-wide figures: it follows every case write, and it equals the cases."""
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from dashboard import figures as stats, tally
from dashboard.models import CaseTally, MonthTally, OpenTally, StaleTallyDay
from feedback.services import case_actions as actions
from feedback.clocks import deadlines
from feedback.lifecycle import CaseStatus, Outcome
from feedback.models import Case
from tests.conftest import require_service
from tests.factories import make_report, make_staff
from tests.dashboard.known_cases import set_lifecycle

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

TODAY = stats.Period.last_days(1)


def _board_totals() -> stats.Figures:
    return stats.dashboard(user=None, sl=stats.CITY, period=TODAY, groups=("agency",)).totals


def _rows() -> list[tuple]:
    fields = ("day", "dim", "key", *(f.name for f in CaseTally._meta.fields if f.name not in ("id", "day", "dim", "key")))
    return sorted(CaseTally.objects.values_list(*fields))


def _month_rows() -> list[tuple]:
    fields = ("month", "dim", "key", *(f.name for f in MonthTally._meta.fields
                                       if f.name not in ("id", "month", "dim", "key")))
    return sorted(r for r in MonthTally.objects.values_list(*fields))


def _open_rows() -> list[tuple]:
    return sorted((d, k, o, u) for d, k, o, u in OpenTally.objects.values_list(
        "dim", "key", "open_dated", "unanswered_dated") if o or u)


class FollowsEveryWriteTests:
    def test_a_case_through_its_lifecycle_shows_at_once_on_the_board(self):
        officer = make_staff("hk1")
        case = make_report()
        assert (_board_totals().received, _board_totals().handled) == (1, 0)
        actions.accept_case(case=case, actor=officer)
        actions.resolve_case(case=case, actor=officer, outcome=Outcome.NOT_FIXED_SCHEDULED,
                             reply="Đã lên kế hoạch xử lý trong tuần tới")
        f = _board_totals()
        assert (f.received, f.handled, f.on_time, f.late, f.pending, f.fixed) == (1, 1, 1, 0, 0, 0)
        case.refresh_from_db()  # the answer stored its working hours from receipt (the time to resolve)
        assert case.resolve_working_hours == deadlines.working_hours_to_resolve(case)
        assert f.timed == 1 and f.avg_hours == case.resolve_working_hours

    def test_every_write_marks_its_day_and_the_next_read_recomputes_it(self):
        make_report()
        assert StaleTallyDay.objects.filter(day=timezone.localdate()).exists()
        _board_totals()
        assert not StaleTallyDay.objects.exists()
        assert CaseTally.objects.get(day=timezone.localdate(), dim="city").received == 1

    def test_the_beat_task_recomputes_stale_days_before_any_read(self):
        from dashboard import tasks

        make_report()
        assert tasks.refresh_tally() == 1
        assert not StaleTallyDay.objects.exists()
        assert CaseTally.objects.get(day=timezone.localdate(), dim="city").received == 1

    def test_a_deleted_case_leaves_the_tally(self):
        case = make_report()
        assert _board_totals().received == 1
        case.delete()
        assert _board_totals().received == 0

    def test_an_open_case_falls_late_with_the_clock_without_any_write(self):
        case = make_report()
        set_lifecycle(case, due_at=timezone.now() + timedelta(hours=1))
        assert (_board_totals().pending, _board_totals().late) == (1, 0)
        later = timezone.now() + timedelta(hours=2)
        rows = stats._figures_by_set(cases=stats.sliced_cases(None, stats.CITY), sl=stats.CITY, period=TODAY,
                                     scope=stats.Scope(), now=later)
        f = rows[None][None]
        assert (f.pending, f.late, f.overdue) == (0, 1, 1)


class EqualsTheCasesTests:
    def test_rebuilding_from_scratch_gives_the_rows_kept_write_by_write(self, known):
        officer = make_staff("hk1")
        extra = make_report()
        actions.accept_case(case=extra, actor=officer)
        actions.reject_case(case=make_report(), actor=officer, outcome=Outcome.DUPLICATE,
                            reason="Trùng với phản ánh đã có")
        actions.resolve_case(case=extra, actor=officer, outcome=Outcome.NOT_FIXED_SCHEDULED,
                             reply="Đã lên kế hoạch xử lý trong tuần tới")
        tally.refresh_stale()
        kept, kept_open, kept_months = _rows(), _open_rows(), _month_rows()
        assert kept and kept_open and kept_months
        call_command("rebuild_tally", verbosity=0)
        assert _rows() == kept
        assert _month_rows() == kept_months  # the month rows moved write by write = rebuilt from scratch
        assert _open_rows() == kept_open  # the all-time open counts moved write by write = rebuilt from scratch

    def test_the_one_statement_recompute_writes_what_the_portable_one_does(self, known):
        make_report()
        days = sorted(set(CaseTally.objects.values_list("day", flat=True)) | {timezone.localdate()})
        tally.refresh_stale()
        fast = _rows()
        for day in days:
            tally._recompute(day, day, portable=True)
        assert _rows() == fast and len(fast) >= 4 * 2

    def test_the_city_dashboard_equals_the_figures_straight_from_the_cases(self, known):
        data = stats.dashboard(user=None, sl=stats.CITY, period=known.period)
        assert data.totals == stats.totals(cases=stats.sliced_cases(None, stats.CITY), period=known.period,
                                           now=data.computed_at)

    def test_a_period_of_whole_and_partial_months_equals_the_cases(self, known):
        """Its whole months come from the month rows, its partial first and last months from the day rows."""
        c8 = known.cases["c8"]  # received the month before the known one: a change to it shows at once
        period = stats.Period(tally.receipt_day(c8.received_at), timezone.localdate())
        set_lifecycle(c8, status=CaseStatus.RESOLVED, outcome=Outcome.FIXED, resolved_at=c8.due_at,
                      resolve_working_hours=12.0)
        make_report()  # and one today, in the partial last month
        data = stats.dashboard(user=None, sl=stats.CITY, period=period)
        cases = stats.sliced_cases(None, stats.CITY)
        assert data.totals == stats.totals(cases=cases, period=period, now=data.computed_at)
        assert data.totals.received == 10 and data.totals.timed == 5
        for group in ("agency", "ward", "topic"):
            assert data.tables[group] == stats.table(cases=cases, group=group, period=period,
                                                     now=data.computed_at), group

    def test_a_manager_view_is_read_from_the_cases_and_agrees_with_the_city_rows(self, known):
        manager = make_staff("mgr", role="manager", agency_code=known.agency_b.code)
        mine = stats.dashboard(user=manager, sl=stats.dashboard_slice(manager), period=known.period)
        city = stats.dashboard(user=None, sl=stats.CITY, period=known.period)
        city_b = next(r.figures for r in city.tables["agency"].rows if r.key == known.agency_b.pk)
        assert mine.totals == city_b


class NarrowedTrendTests:
    @pytest.mark.parametrize("narrow", ["topic", "ward", "agency", "manager"])
    def test_a_trend_narrowed_once_is_read_from_the_tally_and_equals_the_cases(self, known, narrow):
        user, sl, scope = None, stats.CITY, stats.Scope()
        if narrow == "manager":
            user = make_staff("mgr", role="manager", agency_code=known.agency_b.code)
            sl = stats.dashboard_slice(user)
        else:
            key = {"topic": known.cases["c1"].topic_id, "ward": known.ward_2.pk, "agency": known.agency_a.pk}[narrow]
            scope = stats.Scope(**{f"{narrow}_id": key})
        assert stats._tally_rows(sl, scope) is not None
        data = stats.dashboard(user=user, sl=sl, period=known.period, scope=scope)
        direct = stats.table(cases=stats.sliced_cases(user, sl), group="month", period=known.period.trend(),
                             scope=scope, now=data.computed_at)
        assert data.tables["month"] == direct
        assert sum(r.figures.received for r in direct.rows) > 0

    def test_a_manager_narrowing_to_another_agency_sees_nothing(self, known):
        manager = make_staff("mgr", role="manager", agency_code=known.agency_b.code)
        sl = stats.dashboard_slice(manager)
        scope = stats.Scope(agency_id=known.agency_a.pk)
        assert stats._tally_rows(sl, scope) is None
        data = stats.dashboard(user=manager, sl=sl, period=known.period, scope=scope)
        assert data.totals.received == 0
        assert sum(r.figures.received for r in data.tables["month"].rows) == 0


class AnswersRecordTheirTimeTests:
    def test_a_rejection_records_when_it_was_given(self):
        officer = make_staff("hk1")
        case = actions.reject_case(case=make_report(), actor=officer, outcome=Outcome.SPAM, reason="Quảng cáo")
        assert case.status == CaseStatus.REJECTED and case.resolved_at is not None

    def test_a_rejection_after_the_due_time_is_late(self):
        officer = make_staff("hk1")
        case = make_report()
        set_lifecycle(case, due_at=timezone.now() - timedelta(hours=1))
        actions.reject_case(case=case, actor=officer, outcome=Outcome.DUPLICATE, reason="Trùng phản ánh khác")
        f = _board_totals()
        assert (f.handled, f.rejected, f.on_time, f.late) == (1, 1, 0, 1)

    def test_the_database_refuses_a_finished_case_without_its_time(self):
        case = make_report()
        with pytest.raises(IntegrityError), transaction.atomic():
            Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, outcome=Outcome.SPAM)


@pytest.mark.django_db(transaction=True)
class ConcurrentWriterTests:
    def test_a_write_committed_after_a_refresh_read_the_marks_is_still_counted(self, hanoi_data):
        """A writer's mark is invisible to a refresh until the writer commits; the refresh deletes only the
        marks it read, so the late writer's day is recomputed at the next read."""
        require_service(connection.vendor == "postgresql", "PostgreSQL (two connections at once)")
        written, go_on, done = threading.Event(), threading.Event(), threading.Event()
        errors = []

        def writer():
            try:
                with transaction.atomic():
                    make_report()
                    written.set()
                    go_on.wait(timeout=20)
            except Exception as exc:  # noqa: BLE001 - the test reports it
                errors.append(exc)
            finally:
                connections.close_all()
                done.set()

        make_report()  # a committed case, already marked
        thread = threading.Thread(target=writer)
        thread.start()
        assert written.wait(timeout=20)
        assert _board_totals().received == 1  # the refresh ran while the writer had not committed
        go_on.set()
        assert done.wait(timeout=20) and not errors, errors
        thread.join(timeout=5)
        stats.bump_version()  # (the writer's post_save bumped it in its own thread; be explicit)
        assert _board_totals().received == 2
        assert not StaleTallyDay.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_finished_cases_their_answer_time_and_marks_their_days(migrated_back, hanoi_data):
    from datetime import datetime

    from django.db.migrations.executor import MigrationExecutor

    from feedback.clocks.calendar import TZ

    old = migrated_back([("feedback", "0007_case_timed_hours_index")])
    OldCase, OldEvent = old.get_model("feedback", "Case"), old.get_model("feedback", "CaseEvent")
    topic = old.get_model("agencies", "Topic").objects.get(code="waste")
    received = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    rejected = OldCase.objects.create(tracking_code="HN-OLD-0001", topic=topic, description="Trùng phản ánh",
                                      received_at=received, status="rejected", outcome="duplicate")
    OldEvent.objects.create(case=rejected, kind="rejected", to_status="rejected",
                            created_at=received + timedelta(hours=3))
    closed = OldCase.objects.create(tracking_code="HN-OLD-0002", topic=topic, description="Tin rác quảng cáo",
                                    received_at=received, status="closed", outcome="spam",
                                    closed_at=received + timedelta(hours=5))
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Case.objects.get(pk=rejected.pk).resolved_at == received + timedelta(hours=3)
    assert Case.objects.get(pk=closed.pk).resolved_at == received + timedelta(hours=5)
    assert set(StaleTallyDay.objects.values_list("day", flat=True)) == {received.date()}
    f = stats.dashboard(user=None, sl=stats.CITY, period=stats.Period(received.date(), received.date())).totals
    assert (f.received, f.handled, f.rejected, f.on_time) == (2, 2, 2, 2)
