"""Read replica (city-scale topology): public read-only pages read from the "replica" alias, writes and
transactions use the primary, and a visitor who has just written reads the primary for a while.

On PostgreSQL the test settings add "replica" as a second connection mirroring the test database; a marker
that exists only in the replica connection's session (a temporary table shadowing a real one) proves the
reads really went there. Skipped on SQLite (required in CI through IHANOI_REQUIRE_SERVICES=1)."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Topic
from ihanoi.db_router import REPLICA, STICKY_COOKIE, ReplicaRouter, replica_reads
from tests.conftest import require_service
from tests.factories import make_report

MARKER = "REPLICA-MARKER"


def _require_replica(settings):
    require_service(REPLICA in settings.DATABASES, "PostgreSQL with a second alias (the read replica)")
    settings.REPLICA_READS = True


def _case_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "feedback_case" in q["sql"]]


@pytest.fixture
def replica_marker(settings):
    """The replica connection sees a topic name the primary does not have."""
    _require_replica(settings)
    with connections[REPLICA].cursor() as cur:
        cur.execute("CREATE TEMP TABLE agencies_topic AS SELECT * FROM public.agencies_topic")
        cur.execute("UPDATE pg_temp.agencies_topic SET name_vi = %s, name_en = %s WHERE code = 'waste'",
                    [MARKER, MARKER])
    yield
    with connections[REPLICA].cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS pg_temp.agencies_topic")


# Committed rows on two connections: transactional tests, when the replica alias exists (PostgreSQL); without
# it a plain database marker, and every test skips (or fails in CI) at require_service.
HAS_REPLICA = REPLICA in settings.DATABASES
replica_db = (pytest.mark.django_db(transaction=True, databases=["default", REPLICA]) if HAS_REPLICA
              else pytest.mark.django_db)


@replica_db
class ReplicaRouterTests:
    def test_reads_marked_for_the_replica_really_read_the_replica(self, hanoi_data, replica_marker):
        with replica_reads():
            assert Topic.objects.get(code="waste").name_vi == MARKER
        assert Topic.objects.get(code="waste").name_vi != MARKER  # outside: the primary

    def test_a_read_inside_a_transaction_goes_to_the_primary(self, hanoi_data, replica_marker):
        with replica_reads(), transaction.atomic():
            assert Topic.objects.get(code="waste").name_vi != MARKER

    def test_after_a_write_the_request_reads_its_own_writes(self, hanoi_data, replica_marker):
        with replica_reads():
            assert Topic.objects.get(code="waste").name_vi == MARKER
            make_report()  # a write
            assert Topic.objects.get(code="waste").name_vi != MARKER

    def test_the_board_and_the_map_read_the_replica(self, hanoi_data, settings, client):
        _require_replica(settings)
        make_report()
        for url in (reverse("board:index"), reverse("feedback:map_data")):
            with CaptureQueriesContext(connections[REPLICA]) as replica, \
                    CaptureQueriesContext(connections["default"]) as primary:
                assert client.get(url).status_code == 200
            assert _case_queries(replica), url
            assert not _case_queries(primary), url

    def test_a_visitor_who_just_posted_reads_the_primary(self, hanoi_data, settings, client):
        _require_replica(settings)
        make_report()
        response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
        assert response.cookies[STICKY_COOKIE]["max-age"] == settings.REPLICA_STICKY_SECONDS
        with CaptureQueriesContext(connections[REPLICA]) as replica, \
                CaptureQueriesContext(connections["default"]) as primary:
            assert client.get(reverse("feedback:map_data")).status_code == 200
        assert not _case_queries(replica) and _case_queries(primary)

    def test_the_staff_pages_read_the_primary(self, hanoi_data, settings, client):
        _require_replica(settings)
        with CaptureQueriesContext(connections[REPLICA]) as replica:
            client.get(reverse("staff:queue"))
            client.get(reverse("feedback:report"))
        assert not replica.captured_queries


class ReplicaOffTests:
    def test_with_replica_reads_off_every_read_goes_to_the_primary(self, settings):
        settings.REPLICA_READS = False  # as without DATABASE_REPLICA_URL (no "replica" alias)
        with replica_reads():
            assert ReplicaRouter().db_for_read(Topic) == "default"

    def test_the_replica_is_never_migrated(self):
        assert ReplicaRouter().allow_migrate(REPLICA, "feedback") is False
        assert ReplicaRouter().allow_migrate("default", "feedback") is None
