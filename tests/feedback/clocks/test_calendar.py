import time
from datetime import date, datetime, timedelta

import pytest

from agencies.models import Topic, Urgency
from feedback.clocks import deadlines
from ihanoi import snapshots
from feedback.models import CalendarDayKind, CalendarException
from feedback.clocks.calendar import TZ, WorkCalendar
from tests.factories import make_report


def at(y, m, d, h=0, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=TZ)


@pytest.fixture
def cal():
    return WorkCalendar()


@pytest.fixture(autouse=True)
def _fresh_city_calendar():
    deadlines.invalidate_calendar()
    yield
    deadlines.invalidate_calendar()  # rows of this test are rolled back: no process may keep them


class NationalCalendarTests:
    def test_tet_2026_is_off_and_the_clock_resumes_after_it(self, cal):
        for d in range(16, 21):  # Mon 16/02 (Tết eve) .. Fri 20/02/2026
            assert not cal.is_working_day(date(2026, 2, d)), d
        assert cal.is_working_day(date(2026, 2, 13)) and cal.is_working_day(date(2026, 2, 23))
        # Friday 16:00 + 2 working hours: one hour on Friday, one on Monday 23/02 after nine days off.
        assert cal.add_working_hours(at(2026, 2, 13, 16), 2) == at(2026, 2, 23, 9)

    def test_tet_2027_is_off(self, cal):
        for d in range(4, 11):  # Thu 04/02 .. Wed 10/02/2027
            assert not cal.is_working_day(date(2027, 2, d)), d
        assert cal.add_working_days(at(2027, 2, 3, 16), 1) == at(2027, 2, 11, 16)

    def test_reunification_and_labour_day(self, cal):
        assert not cal.is_working_day(date(2026, 4, 30)) and not cal.is_working_day(date(2026, 5, 1))
        assert not cal.is_working_day(date(2026, 4, 27))  # Hùng Kings on Sunday 26/04, observed Monday
        # Wednesday 29/04 10:00 + 1 working day → Monday 04/05 10:00 (Thu, Fri holidays, then the weekend).
        assert cal.add_working_days(at(2026, 4, 29, 10), 1) == at(2026, 5, 4, 10)

    def test_national_day_2026_with_its_saturday_make_up_day(self, cal):
        assert cal.is_working_day(date(2026, 8, 22))  # Saturday worked to make the 31/08 bridge off
        assert not cal.is_working_day(date(2026, 8, 31))
        assert not cal.is_working_day(date(2026, 9, 1)) and not cal.is_working_day(date(2026, 9, 2))
        assert cal.add_working_days(at(2026, 8, 28, 9), 1) == at(2026, 9, 3, 9)
        assert cal.add_working_days(at(2026, 8, 21, 15), 1) == at(2026, 8, 22, 15)  # Fri → make-up Saturday

    def test_weekends_are_skipped(self, cal):
        assert not cal.is_working_day(date(2026, 12, 5)) and not cal.is_working_day(date(2026, 12, 6))
        assert cal.add_working_days(at(2026, 12, 4, 14), 2) == at(2026, 12, 8, 14)  # Fri → Tue

    def test_after_hours_receipt_starts_the_next_working_morning(self, cal):
        assert cal.next_working_start(at(2026, 12, 1, 17, 30)) == at(2026, 12, 2, 8)
        assert cal.next_working_start(at(2026, 12, 4, 22)) == at(2026, 12, 7, 8)  # Friday night → Monday
        assert cal.next_working_start(at(2026, 12, 1, 6)) == at(2026, 12, 1, 8)
        assert cal.next_working_start(at(2026, 12, 1, 12, 20)) == at(2026, 12, 1, 13)  # lunch break
        assert cal.add_working_hours(at(2026, 12, 1, 19), 8) == at(2026, 12, 2, 17)

    def test_hourly_deadlines_skip_lunch_and_nights(self, cal):
        assert cal.add_working_hours(at(2026, 12, 1, 11), 2) == at(2026, 12, 1, 14)
        assert cal.add_working_hours(at(2026, 12, 1, 15, 30), 4) == at(2026, 12, 2, 10, 30)
        assert cal.add_working_hours(at(2026, 12, 1, 9), timedelta(minutes=90)) == at(2026, 12, 1, 10, 30)

    def test_going_back_in_working_time(self, cal):
        assert cal.subtract_working_hours(at(2026, 12, 2, 10, 30), 4) == at(2026, 12, 1, 15, 30)
        assert cal.add_working_days(at(2026, 12, 7, 9), -2) == at(2026, 12, 3, 9)  # Mon → Thu, over the weekend
        assert cal.subtract_working_hours(at(2026, 2, 23, 9), 2) == at(2026, 2, 13, 16)  # back over Tết 2026
        assert cal.working_hours_between(at(2026, 12, 1, 11), at(2026, 12, 1, 14)) == 2

    def test_going_back_to_a_period_start_gives_the_earlier_period_end(self, cal):
        # Friday 08:00 and Thursday 17:00 are the same working instant; like add_working_hours (which answers
        # 17:00, never the next 08:00), going back answers the earlier wall-clock time, so "due before the
        # cut-off" means strictly more working time has passed.
        assert cal.subtract_working_hours(at(2026, 12, 7, 17), 16) == at(2026, 12, 3, 17)
        assert cal.subtract_working_hours(at(2026, 12, 3, 17), 4) == at(2026, 12, 3, 12)
        assert cal.add_working_hours(cal.subtract_working_hours(at(2026, 12, 7, 17), 16), 16) == at(2026, 12, 7, 17)

    def test_naive_datetimes_are_refused(self, cal):
        with pytest.raises(ValueError):
            cal.next_working_start(datetime(2026, 12, 1, 9))


@pytest.mark.django_db
class CityCalendarTests:
    def test_city_make_up_day_and_extra_day_off_from_the_admin_table(self):
        start = at(2026, 12, 11, 16)  # Friday
        assert deadlines.accept_due(start) == at(2026, 12, 14, 16)  # 1 h Friday + 7 h Monday
        CalendarException.objects.create(date=date(2026, 12, 12), kind=CalendarDayKind.WORKING_DAY, note="bù")
        assert deadlines.accept_due(start) == at(2026, 12, 12, 16)  # the Saturday now counts
        CalendarException.objects.create(date=date(2026, 12, 14), kind=CalendarDayKind.DAY_OFF)
        cal = deadlines.city_calendar()
        assert not cal.is_working_day(date(2026, 12, 14)) and cal.is_working_day(date(2026, 12, 12))
        CalendarException.objects.filter(date=date(2026, 12, 12)).delete()
        assert deadlines.accept_due(start) == at(2026, 12, 15, 16)  # Monday off now: Friday → Tuesday

    def test_another_process_sees_the_change(self, django_capture_on_commit_callbacks):
        """A process holding its calendar (its local copy) rebuilds once the shared token changes, which the
        commit does; it reads the token at most once every CHECK_EVERY seconds."""
        deadlines.city_calendar()
        other_process = dict(vars(deadlines.calendar_snapshot))
        with django_capture_on_commit_callbacks(execute=True):
            CalendarException.objects.create(date=date(2026, 12, 14), kind=CalendarDayKind.DAY_OFF)
        vars(deadlines.calendar_snapshot).update(other_process)  # stale calendar, old token
        deadlines.calendar_snapshot._check_at = time.monotonic() + 60  # its next check still ahead, however slow
        assert deadlines.city_calendar().is_working_day(date(2026, 12, 14))  # within CHECK_EVERY: not yet
        deadlines.calendar_snapshot._check_at = 0.0  # CHECK_EVERY later
        assert not deadlines.city_calendar().is_working_day(date(2026, 12, 14))

    def test_unchanged_calendar_is_not_rebuilt(self, django_assert_num_queries):
        first = deadlines.city_calendar()
        with django_assert_num_queries(0):
            assert deadlines.city_calendar() is first

    def test_calendar_works_when_the_cache_is_down(self, monkeypatch):
        def broken(*a, **k):
            raise ConnectionError("redis down")

        monkeypatch.setattr(snapshots.cache, "get", broken)
        monkeypatch.setattr(snapshots.cache, "set", broken)
        CalendarException.objects.create(date=date(2026, 12, 14), kind=CalendarDayKind.DAY_OFF)
        assert not deadlines.city_calendar().is_working_day(date(2026, 12, 14))


@pytest.mark.django_db
class ResolveDueTests:
    def test_days_hours_and_urgency_rules(self):
        start = at(2026, 12, 1, 9)  # Tuesday
        waste = Topic.objects.get(code="waste")  # 2 working days
        tree = Topic.objects.get(code="fallen-tree")  # urgent, 4 working hours
        building = Topic.objects.get(code="illegal-construction")  # complex, 10 days
        assert deadlines.resolve_due(topic=waste, urgency=Urgency.NORMAL, start=start) == at(2026, 12, 3, 9)
        assert deadlines.resolve_due(topic=tree, urgency=Urgency.URGENT, start=start) == at(2026, 12, 1, 14)
        assert deadlines.resolve_due(topic=waste, urgency=Urgency.URGENT, start=start) == at(2026, 12, 1, 14)
        # Lowered from urgent: the topic's working days, not its urgent hours.
        assert deadlines.resolve_due(topic=tree, urgency=Urgency.NORMAL, start=start) == at(2026, 12, 2, 9)
        assert deadlines.resolve_due(topic=building, urgency=Urgency.COMPLEX, start=start) == at(2026, 12, 15, 9)
        assert deadlines.resolve_due(topic=waste, urgency=Urgency.COMPLEX, start=start) == at(2026, 12, 15, 9)


@pytest.mark.django_db
class CalendarAdminTests:
    def test_a_day_off_saved_in_the_admin_moves_deadlines_at_once(self, admin_client):
        start = at(2026, 12, 11, 16)  # Friday
        assert deadlines.accept_due(start) == at(2026, 12, 14, 16)
        response = admin_client.post(
            "/admin/feedback/calendarexception/add/",
            {"date": "2026-12-14", "kind": CalendarDayKind.DAY_OFF, "note": "Nghỉ bù của thành phố"},
        )
        assert response.status_code == 302, response.content[:500]
        assert deadlines.accept_due(start) == at(2026, 12, 15, 16)
        exc = CalendarException.objects.get(date=date(2026, 12, 14))
        response = admin_client.post(f"/admin/feedback/calendarexception/{exc.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
        assert deadlines.accept_due(start) == at(2026, 12, 14, 16)


class WorkingHoursLabelTests:
    def test_the_label_comes_from_the_periods_the_clocks_count(self):
        from feedback.clocks.calendar import working_hours_label

        assert working_hours_label() == "08:00–12:00, 13:00–17:00"


@pytest.mark.django_db
class WorkingHoursTests:
    def test_working_hours_to_resolve_uses_the_calendar(self):
        case = make_report()
        # Monday 2026-03-02 16:00 → Tuesday 2026-03-03 09:30 = 1 h + 1.5 h of office time.
        case.received_at = datetime(2026, 3, 2, 16, 0, tzinfo=TZ)
        case.resolved_at = datetime(2026, 3, 3, 9, 30, tzinfo=TZ)
        assert deadlines.working_hours_to_resolve(case) == 2.5

    def test_needs_a_resolution_time(self):
        case = make_report()
        with pytest.raises(ValueError):
            deadlines.working_hours_to_resolve(case)
