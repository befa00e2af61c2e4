from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import StaffRole
from feedback.services import sweeps
from feedback.clocks.deadlines import city_calendar
from feedback.lifecycle import CaseStatus, EventKind, Outcome
from feedback.models import Case, CaseEvent, OutboxMessage, OutboxStatus
from feedback.services import transition_case
from tests.factories import make_report, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_emails(monkeypatch):
    monkeypatch.setattr(sweeps, "EMAIL_LANGUAGE", "en")  # wording checks in the source language


def working_hours_after(dt, hours):
    return city_calendar().add_working_hours(dt, hours)


@pytest.fixture
def staff():
    return {
        "officer": make_staff("hk_off", role=StaffRole.OFFICER),
        "manager": make_staff("hk_mgr", role=StaffRole.MANAGER),
        "leader": make_staff("leader", role=StaffRole.LEADER, agency_code=None),
    }


def recipients_of(kind):
    return sorted(OutboxMessage.objects.filter(dedupe_key__startswith=f"{kind}:").values_list("recipient", flat=True))


class FlagOverdueTests:
    def test_flags_past_due_cases_once_and_counts_them(self, staff):
        cases = [make_report() for _ in range(3)]
        later = make_report(topic_code="illegal-construction")  # complex: 10 working days
        now = max(c.due_at for c in cases) + timedelta(minutes=1)
        result = sweeps.flag_overdue(now=now)
        assert result["overdue"] == 3
        assert set(Case.objects.filter(is_overdue=True).values_list("pk", flat=True)) == {c.pk for c in cases}
        assert Case.objects.get(pk=cases[0].pk).overdue_at == now
        assert not Case.objects.get(pk=later.pk).is_overdue
        assert CaseEvent.objects.filter(kind=EventKind.OVERDUE, data__clock="resolve").count() == 3

        again = sweeps.flag_overdue(now=now + timedelta(hours=1))
        assert again == {"overdue": 0, "accept_overdue": 0, "messages": 0}
        assert CaseEvent.objects.filter(kind=EventKind.OVERDUE, data__clock="resolve").count() == 3

    def test_notification_is_sent_once(self, staff, django_capture_on_commit_callbacks):
        case = make_report(email="")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            sweeps.flag_overdue(now=case.due_at + timedelta(minutes=1))
        with django_capture_on_commit_callbacks(execute=True):
            sweeps.flag_overdue(now=case.due_at + timedelta(minutes=10))
        overdue_mails = [m for m in mail.outbox if case.tracking_code in m.body and "Overdue" in m.subject]
        assert [m.to for m in overdue_mails] == [["hk_off@example.com"]]
        assert OutboxMessage.objects.get(dedupe_key__startswith="overdue:").status == OutboxStatus.SENT

    def test_overdue_queued_case_is_told_to_the_dispatchers_once(self, staff, django_capture_on_commit_callbacks):
        from django.contrib.auth import get_user_model

        make_staff("disp1", role=StaffRole.DISPATCHER, agency_code="ioc-hanoi")
        make_staff("disp2", role=StaffRole.DISPATCHER, agency_code=None)
        get_user_model().objects.filter(pk=make_staff("gone", role=StaffRole.DISPATCHER).pk).update(is_active=False)
        queued = make_report(lat=20.40, lon=105.90, address="Ngoài ranh giới", email="")
        routed = make_report(email="")
        assert queued.agency is None and queued.due_at <= routed.due_at
        mail.outbox.clear()
        for minutes in (1, 10):
            with django_capture_on_commit_callbacks(execute=True):
                sweeps.flag_overdue(now=routed.due_at + timedelta(minutes=minutes))
        told = sorted(m.to[0] for m in mail.outbox if queued.tracking_code in m.body)
        assert told == ["disp1@example.com", "disp2@example.com"]
        assert all(routed.tracking_code not in m.body for m in mail.outbox if m.to[0].startswith("disp"))
        assert recipients_of("overdue") == ["disp1@example.com", "disp2@example.com", "hk_off@example.com"]

    def test_accept_clock_is_flagged_separately(self, staff):
        case = make_report()
        now = case.accept_due_at + timedelta(minutes=1)
        assert now < case.due_at
        result = sweeps.flag_overdue(now=now)
        assert result["accept_overdue"] == 1 and result["overdue"] == 0
        case.refresh_from_db()
        assert case.is_accept_overdue and not case.is_overdue
        assert CaseEvent.objects.filter(case=case, kind=EventKind.OVERDUE, data__clock="accept").exists()
        assert recipients_of("accept-overdue") == ["hk_off@example.com"]

    def test_resolved_cases_are_not_flagged(self, staff):
        case = make_report()
        transition_case(case=case, to=CaseStatus.RESOLVED, actor=staff["officer"], kind=EventKind.RESOLVED,
                        outcome=Outcome.FIXED, resolved_at=timezone.now())
        assert sweeps.flag_overdue(now=case.due_at + timedelta(days=30))["overdue"] == 0

    def test_batches_take_a_constant_number_of_queries(self, staff, monkeypatch):
        monkeypatch.setattr(sweeps, "BATCH_SIZE", 50)
        few = [make_report() for _ in range(2)]
        now = few[-1].due_at + timedelta(minutes=1)
        with CaptureQueriesContext(connection) as small:
            assert sweeps.flag_overdue(now=now)["overdue"] == 2
        more = [make_report() for _ in range(6)]
        now = more[-1].due_at + timedelta(minutes=1)
        with CaptureQueriesContext(connection) as large:
            assert sweeps.flag_overdue(now=now)["overdue"] == 6
        assert len(large) == len(small)

    def test_batches_cover_every_row(self, staff, monkeypatch):
        monkeypatch.setattr(sweeps, "BATCH_SIZE", 2)
        cases = [make_report() for _ in range(5)]
        assert sweeps.flag_overdue(now=cases[-1].due_at + timedelta(minutes=1))["overdue"] == 5
        assert CaseEvent.objects.filter(kind=EventKind.OVERDUE, data__clock="resolve").count() == 5


class ReminderTests:
    def test_agency_is_reminded_one_working_day_before_due_once(self, staff):
        case = make_report()
        far = sweeps.send_due_soon_reminders(now=case.due_at - timedelta(days=5))
        assert far["reminded"] == 0
        now = city_calendar().add_working_hours(case.due_at, -3)
        assert sweeps.send_due_soon_reminders(now=now)["reminded"] == 1
        case.refresh_from_db()
        assert case.reminded_at == now
        assert recipients_of("due-soon") == ["hk_mgr@example.com", "hk_off@example.com"]
        assert sweeps.send_due_soon_reminders(now=now + timedelta(minutes=30))["reminded"] == 0
        assert OutboxMessage.objects.filter(dedupe_key__startswith="due-soon:").count() == 2
        assert CaseEvent.objects.filter(case=case, kind=EventKind.REMINDED).count() == 1

    def test_overdue_cases_get_no_reminder(self, staff):
        case = make_report()
        sweeps.flag_overdue(now=case.due_at + timedelta(minutes=1))
        assert sweeps.send_due_soon_reminders(now=case.due_at - timedelta(minutes=1))["reminded"] == 0


class EscalationTests:
    def test_manager_is_told_once_then_escalation_after_n_working_days(self, staff, settings):
        settings.ESCALATE_AFTER_WORKING_DAYS = 2
        case = make_report()
        sweeps.flag_overdue(now=case.due_at + timedelta(minutes=1))

        one_day = working_hours_after(case.due_at, 8)
        result = sweeps.escalate(now=one_day)
        assert result["managers_notified"] == 1 and result["escalated"] == 0
        assert recipients_of("overdue-manager") == ["hk_mgr@example.com"]

        exactly_two = working_hours_after(case.due_at, 16)
        assert sweeps.escalate(now=exactly_two) == {"managers_notified": 0, "escalated": 0, "messages": 0}

        past_two = working_hours_after(case.due_at, 16 + 5 / 60)  # five working minutes later
        assert sweeps.escalate(now=past_two)["escalated"] == 1
        case.refresh_from_db()
        assert case.is_escalated and case.escalated_at == past_two
        assert CaseEvent.objects.filter(case=case, kind=EventKind.ESCALATED).count() == 1
        assert recipients_of("escalated") == ["hk_mgr@example.com", "leader@example.com"]
        assert sweeps.escalated_cases(Case.objects.all()).get() == case

        assert sweeps.escalate(now=past_two + timedelta(days=3))["escalated"] == 0
        assert OutboxMessage.objects.filter(dedupe_key__startswith="overdue-manager:").count() == 1

    def test_threshold_follows_the_setting(self, staff, settings):
        settings.ESCALATE_AFTER_WORKING_DAYS = 5
        case = make_report()
        sweeps.flag_overdue(now=case.due_at + timedelta(minutes=1))
        assert sweeps.escalate(now=working_hours_after(case.due_at, 17))["escalated"] == 0
        assert sweeps.escalate(now=working_hours_after(case.due_at, 41))["escalated"] == 1


class DigestTests:
    def test_manager_gets_counts_and_lists_once_a_day(self, staff):
        overdue = make_report()
        sweeps.flag_overdue(now=overdue.due_at + timedelta(minutes=1))
        due_soon = make_report()
        make_report(topic_code="illegal-construction")  # open, due much later
        now = city_calendar().add_working_hours(due_soon.due_at, -2)
        assert sweeps.send_daily_digests(now=now) == {"digests": 1}
        msg = OutboxMessage.objects.get(dedupe_key__startswith="digest:")
        assert msg.recipient == "hk_mgr@example.com"
        assert msg.subject.endswith(": 1 overdue, 1 due soon")
        assert "Open cases: 3" in msg.body
        assert "Due within one working day: 1" in msg.body and "Overdue: 1" in msg.body
        assert overdue.tracking_code in msg.body and due_soon.tracking_code in msg.body
        assert sweeps.send_daily_digests(now=now + timedelta(minutes=5)) == {"digests": 0}

    def test_no_digest_on_a_day_off(self, staff):
        sunday = timezone.make_aware(timezone.datetime(2026, 12, 6, 7, 30))
        assert sweeps.send_daily_digests(now=sunday)["digests"] == 0


class RunSweepsCommandTests:
    def test_prints_counts(self, staff):
        make_report()
        out = StringIO()
        call_command("run_sweeps", stdout=out)
        text = out.getvalue()
        for name in ("overdue:", "reminders:", "escalation:", "digest:"):
            assert name in text
        out = StringIO()
        call_command("run_sweeps", "--only", "overdue", stdout=out)
        assert out.getvalue().startswith("overdue: overdue=0")
        assert "digest" not in out.getvalue()


class TaskTests:
    def test_sweep_task_retries_transient_database_errors_only(self, monkeypatch):
        from django.db import OperationalError

        from feedback import tasks

        retried = []

        class Retried(Exception):
            pass

        def fake_retry(*args, exc=None, **kwargs):
            retried.append((exc, kwargs.get("countdown")))
            raise Retried

        def down(now=None):
            raise OperationalError("server closed the connection unexpectedly")

        monkeypatch.setattr(tasks.sweep_overdue, "retry", fake_retry)
        monkeypatch.setattr(sweeps, "flag_overdue", down)
        with pytest.raises(Retried):
            tasks.sweep_overdue.run()
        assert isinstance(retried[0][0], OperationalError) and retried[0][1] is not None  # backoff countdown

        def bug(now=None):
            raise ValueError("a bug is not retried")

        monkeypatch.setattr(sweeps, "flag_overdue", bug)
        with pytest.raises(ValueError):
            tasks.sweep_overdue.run()
        assert len(retried) == 1


class EventOrderTests:
    def test_an_escalation_stamped_before_the_overdue_event_is_listed_after_it(self, staff, settings):
        """The escalation sweep reads its `now` before it takes the rows; an overdue sweep may flag the case
        in between, with a later time. The trail must still list overdue, then escalated."""
        settings.ESCALATE_AFTER_WORKING_DAYS = 1
        case = make_report()
        late = working_hours_after(case.due_at, 20)
        sweeps.flag_overdue(now=late)
        assert sweeps.escalate(now=late - timedelta(microseconds=5))["escalated"] == 1
        trail = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
        assert trail[-1] == EventKind.ESCALATED and trail[-2] == EventKind.OVERDUE
        assert case.events.get(kind=EventKind.ESCALATED).created_at >= max(
            e.created_at for e in case.events.filter(kind=EventKind.OVERDUE))

    def test_an_event_is_never_stamped_before_the_case_s_last_event(self, staff):
        from feedback.services import log_event

        case = make_report()
        future = timezone.now() + timedelta(minutes=10)  # e.g. a sweep run with a later `now`
        sweeps.flag_overdue(now=max(future, case.due_at + timedelta(minutes=1)))
        note = log_event(case=case, kind=EventKind.NOTE, note="sau đó")
        assert list(case.events.all())[-1] == note


class CloseAfterReopenWindowTests:
    def test_closes_resolved_cases_once_their_window_ended(self, staff, settings):
        settings.REOPEN_WINDOW_DAYS = 7
        now = timezone.now()
        old, recent, open_case = make_report(), make_report(), make_report()
        for case, days in ((old, 8), (recent, 6)):
            transition_case(case=case, to=CaseStatus.RESOLVED, actor=staff["officer"], kind=EventKind.RESOLVED,
                            outcome=Outcome.FIXED, resolved_at=now - timedelta(days=days))
        assert sweeps.close_after_reopen_window(now=now) == {"closed": 1, "skipped": 0}
        statuses = dict(Case.objects.values_list("pk", "status"))
        assert statuses == {old.pk: CaseStatus.CLOSED, recent.pk: CaseStatus.RESOLVED,
                            open_case.pk: CaseStatus.ASSIGNED}
        closed = old.events.get(kind=EventKind.CLOSED)
        assert closed.is_public and closed.actor_label == "system" and closed.from_status == CaseStatus.RESOLVED
        assert sweeps.close_after_reopen_window(now=now)["closed"] == 0  # idempotent
        assert sweeps.close_after_reopen_window(now=now + timedelta(days=2))["closed"] == 1

    def test_the_beat_runs_it(self):
        from django.conf import settings as conf

        tasks = {entry["task"] for entry in conf.CELERY_BEAT_SCHEDULE.values()}
        assert "feedback.tasks.close_answered_cases" in tasks
