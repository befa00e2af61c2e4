"""The one state machine: every legal and every illegal transition, and concurrent resolves."""
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from agencies.models import Agency
from feedback.services import case_actions as actions
from feedback.lifecycle import ALLOWED_TRANSITIONS, FINISHED_STATUSES, OPEN_STATUSES, CaseStatus, EventKind, Outcome, can_transition
from feedback.models import Case
from feedback.services import ConflictError, TransitionError, transition_case
from tests.conftest import require_service
from tests.factories import make_report, make_staff

ALL_PAIRS = [(a, b) for a in CaseStatus.values for b in CaseStatus.values]


def put_in(case: Case, status: str) -> Case:
    """Force a case into a status (test set-up only) with the fields that status needs."""
    fields = {"status": status, "resolved_at": timezone.now() if status in FINISHED_STATUSES else None}
    if status == CaseStatus.RECEIVED:
        fields["agency"] = None
    Case.objects.filter(pk=case.pk).update(**fields)
    return Case.objects.get(pk=case.pk)


@pytest.mark.django_db
class TransitionMatrixTests:
    @pytest.mark.parametrize("from_status,to_status", ALL_PAIRS)
    def test_every_pair_is_allowed_exactly_when_the_table_says(self, from_status, to_status):
        case = put_in(make_report(), from_status)
        agency = Agency.objects.get(code="ubnd-00070")
        extra = {"resolved_at": timezone.now()} if to_status == CaseStatus.RESOLVED else {}
        if to_status not in (CaseStatus.RECEIVED, CaseStatus.CLOSED, CaseStatus.REJECTED):
            extra["agency"] = agency
        if to_status == CaseStatus.RECEIVED:
            extra["agency"] = None
        events = case.events.count()
        if can_transition(from_status, to_status):
            transition_case(case=case, to=to_status, actor=None, kind=EventKind.NOTE, **extra)
            case.refresh_from_db()
            assert case.status == to_status and case.version == 2
            last = case.events.latest("pk")
            assert (last.from_status, last.to_status) == (from_status, to_status)
        else:
            with pytest.raises(TransitionError):
                transition_case(case=case, to=to_status, actor=None, kind=EventKind.NOTE, **extra)
            case.refresh_from_db()
            assert case.status == from_status and case.version == 1 and case.events.count() == events

    def test_table_shape(self):
        assert ALLOWED_TRANSITIONS[CaseStatus.CLOSED] == frozenset()
        assert CaseStatus.IN_PROGRESS in ALLOWED_TRANSITIONS[CaseStatus.REOPENED]
        assert CaseStatus.REOPENED in ALLOWED_TRANSITIONS[CaseStatus.RESOLVED]
        for status in OPEN_STATUSES - {CaseStatus.RECEIVED}:
            assert CaseStatus.ASSIGNED in ALLOWED_TRANSITIONS[status]  # transfer → assigned
        assert CaseStatus.RESOLVED not in ALLOWED_TRANSITIONS[CaseStatus.RECEIVED]  # no agency, no answer


@pytest.mark.django_db
class FullJourneyTests:
    def test_received_assigned_in_progress_resolved_reopened_in_progress_resolved_closed(self):
        officer = make_staff("hk1")
        case = make_report()
        actions.accept_case(case=case, actor=officer)
        actions.resolve_case(case=case, actor=officer, outcome=Outcome.NOT_FIXED_SCHEDULED, reply="Lên lịch tuần sau")
        transition_case(case=case, to=CaseStatus.REOPENED, actor=None, kind=EventKind.REOPENED, resolved_at=None,
                        outcome="")  # the citizen's reopen (feedback.services.citizen) goes back to the same agency
        actions.accept_case(case=case, actor=officer)
        actions.resolve_case(case=case, actor=officer, outcome=Outcome.NOT_FIXED_INFEASIBLE, reply="Không khả thi")
        actions.close_case(case=case)
        statuses = [e.to_status for e in case.events.order_by("pk") if e.to_status]
        assert statuses == ["received", "assigned", "in_progress", "resolved", "reopened", "in_progress",
                            "resolved", "closed"]
        with pytest.raises(TransitionError):
            transition_case(case=case, to=CaseStatus.IN_PROGRESS, actor=officer, kind=EventKind.ACCEPTED)


@pytest.mark.django_db(transaction=True)
class ConcurrentResolveTests:
    def test_two_connections_resolving_one_case_one_wins_one_conflicts(self, hanoi_data):
        require_service(connection.vendor == "postgresql", "PostgreSQL (row locks across connections)")
        officer_a, officer_b = make_staff("hk1"), make_staff("hk2")
        case = make_report()
        barrier = threading.Barrier(2)
        results: dict[str, object] = {}

        def resolve(name, officer):
            try:
                mine = Case.objects.get(pk=case.pk)  # each thread: its own connection and its own copy
                barrier.wait(timeout=10)
                actions.resolve_case(case=mine, actor=officer, outcome=Outcome.NOT_FIXED_SCHEDULED,
                                     reply=f"Trả lời của {name}")
                results[name] = "ok"
            except Exception as exc:  # noqa: BLE001 - the test inspects it
                results[name] = exc
            finally:
                connections.close_all()

        threads = [threading.Thread(target=resolve, args=(n, o)) for n, o in (("a", officer_a), ("b", officer_b))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        outcomes = sorted(results.values(), key=lambda r: r != "ok")
        assert outcomes[0] == "ok"
        assert isinstance(outcomes[1], ConflictError), outcomes[1]
        case.refresh_from_db()
        assert case.status == CaseStatus.RESOLVED and case.version == 2
        assert case.events.filter(kind=EventKind.RESOLVED).count() == 1
