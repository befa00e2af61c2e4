import pytest

from agencies.models import Agency, AgencyKind, OldUnit, RoutingRule, RoutingTarget, Topic, Ward, WardKind
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
        models = (Ward, OldUnit, Agency, Topic, RoutingRule)
        before = {m: list(m.objects.order_by("pk").values()) for m in models}
        written = load_hanoi()
        assert written == {"wards": 0, "old_units": 0, "agencies": 0, "topics": 0, "rules": 0}
        after = {m: list(m.objects.order_by("pk").values()) for m in models}
        assert before == after

    def test_repairs_a_changed_row(self):
        Topic.objects.filter(code="waste").update(deadline_days=9)
        assert load_hanoi()["topics"] == 1
        assert Topic.objects.get(code="waste").deadline_days == 2

    def test_every_topic_reaches_an_agency_in_every_ward(self):
        # changed with the "who really does the work" rules: water supply goes to the dispatcher (the seed cannot
        # say which company serves a new ward), every other topic still reaches an agency everywhere
        assert Topic.objects.count() == len(TOPICS)
        missing = [
            (t.code, w.code)
            for t in Topic.objects.exclude(code="water-supply")
            for w in Ward.objects.all()
            if route(topic=t, ward=w).agency is None
        ]
        assert missing == []

    def test_repairs_a_changed_old_unit_and_drops_one_no_longer_in_the_file(self):
        unit = OldUnit.objects.get(old_code="00004")  # Trúc Bạch → Ba Đình
        OldUnit.objects.filter(pk=unit.pk).update(whole=False)
        stray = OldUnit.objects.create(old_code="99999", old_name="X", old_kind="xã", old_district="Y",
                                       old_district_kind="huyện", ward=unit.ward, whole=True)
        assert load_hanoi()["old_units"] == 2
        assert OldUnit.objects.get(pk=unit.pk).whole is True
        assert not OldUnit.objects.filter(pk=stray.pk).exists()


class WhoDoesTheWorkTests:
    @pytest.fixture
    def commune(self):
        return Ward.objects.get(code="00577")  # Xã Bát Tràng

    @pytest.fixture
    def urban_ward(self):
        return Ward.objects.get(code="00070")  # Phường Hoàn Kiếm

    @pytest.mark.parametrize("topic", ["public-lighting", "drainage", "trees", "fallen-tree"])
    def test_in_a_commune_lighting_drainage_and_trees_are_the_commune_committees(self, commune, urban_ward, topic):
        topic = Topic.objects.get(code=topic)
        assert route(topic=topic, ward=commune).agency.code == "ubnd-00577"
        assert route(topic=topic, ward=urban_ward).agency.kind == AgencyKind.PUBLIC_UTILITY

    def test_every_commune_has_the_rules_and_no_urban_ward_does(self):
        for code in ("public-lighting", "drainage", "trees", "fallen-tree"):
            rules = RoutingRule.objects.filter(topic__code=code, ward__isnull=False)
            assert rules.filter(target=RoutingTarget.WARD_COMMITTEE).count() == 75
            assert not rules.filter(ward__kind=WardKind.WARD).exists()

    def test_security_goes_to_the_units_own_police(self, commune, urban_ward):
        topic = Topic.objects.get(code="security-order")
        assert str(route(topic=topic, ward=urban_ward).agency) == "Công an phường Hoàn Kiếm"
        assert str(route(topic=topic, ward=commune).agency) == "Công an xã Bát Tràng"
        police = Agency.objects.filter(kind=AgencyKind.POLICE, code__startswith="ca-")
        assert police.count() == 126
        assert {a.name for a in police} == {
            f"Công an {'phường' if w.kind == WardKind.WARD else 'xã'} {w.name}" for w in Ward.objects.all()}

    def test_water_supply_goes_to_the_dispatcher_with_the_note(self, urban_ward):
        from django.utils import translation

        decision = route(topic=Topic.objects.get(code="water-supply"), ward=urban_ward)
        assert decision.queued and decision.rule.target == RoutingTarget.DISPATCHER
        assert "→ dispatcher queue: several companies supply water in Hanoi" in decision.reason
        with translation.override("vi"):
            from agencies.routing import explain

            assert "→ hàng chờ điều phối: Hà Nội có nhiều công ty cấp nước" in explain(decision.steps)

    def test_official_names(self):
        assert Agency.objects.get(code="nuoc-sach-ha-noi").name == "Công ty TNHH MTV Nước sạch Hà Nội"

    def test_every_topic_has_a_deadline(self):
        for t in Topic.objects.all():
            assert t.deadline_days > 0 or t.deadline_hours
