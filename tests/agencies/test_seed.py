import pytest

from agencies.models import Agency, AgencyKind, RoutingRule, Topic, Ward
from agencies.routing import route
from agencies.seed import TOPICS, load_hanoi

pytestmark = pytest.mark.django_db


class LoadHanoiTests:
    def test_loads_the_126_official_wards(self):
        assert Ward.objects.count() == 126
        assert Ward.objects.filter(kind="phuong").count() == 51
        assert Ward.objects.filter(kind="xa").count() == 75
        hk = Ward.objects.get(code="00070")
        assert hk.full_name == "Phường Hoàn Kiếm"
        assert hk.boundary["type"] == "MultiPolygon"

    def test_every_ward_has_its_peoples_committee(self):
        assert not Ward.objects.filter(committee__isnull=True).exists()
        assert Agency.objects.filter(kind=AgencyKind.WARD_COMMITTEE).count() == 126
        assert Agency.objects.get(ward__code="00070").name == "UBND Phường Hoàn Kiếm"

    def test_running_twice_changes_nothing(self):
        before = {m: list(m.objects.order_by("pk").values()) for m in (Ward, Agency, Topic, RoutingRule)}
        written = load_hanoi()
        assert written == {"wards": 0, "agencies": 0, "topics": 0, "rules": 0}
        after = {m: list(m.objects.order_by("pk").values()) for m in (Ward, Agency, Topic, RoutingRule)}
        assert before == after

    def test_repairs_a_changed_row(self):
        Topic.objects.filter(code="waste").update(deadline_days=9)
        assert load_hanoi()["topics"] == 1
        assert Topic.objects.get(code="waste").deadline_days == 2

    def test_every_topic_reaches_an_agency_in_every_ward(self):
        assert Topic.objects.count() == len(TOPICS)
        missing = [
            (t.code, w.code)
            for t in Topic.objects.all()
            for w in Ward.objects.all()
            if route(topic=t, ward=w).agency is None
        ]
        assert missing == []

    def test_every_topic_has_a_deadline(self):
        for t in Topic.objects.all():
            assert t.deadline_days > 0 or t.deadline_hours
