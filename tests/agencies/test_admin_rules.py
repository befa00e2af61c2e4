import pytest
from django.urls import reverse

from agencies.models import Agency, RoutingRule, RoutingTarget, Topic, Ward

pytestmark = pytest.mark.django_db

ADD_URL = "admin:agencies_routingrule_add"


@pytest.fixture
def admin_client_en(admin_client):
    admin_client.cookies["django_language"] = "en"
    return admin_client


def _post(client, **fields):
    data = {"topic": "", "ward": "", "target": RoutingTarget.AGENCY, "agency": "", "priority": "100",
            "is_active": "on", "note": ""}
    data.update({k: str(v) for k, v in fields.items()})
    return client.post(reverse(ADD_URL), data)


class RoutingRuleAdminTests:
    def test_a_valid_rule_is_created(self, admin_client_en):
        topic, ward = Topic.objects.get(code="waste"), Ward.objects.get(code="00070")
        urenco = Agency.objects.get(code="urenco")
        response = _post(admin_client_en, topic=topic.pk, ward=ward.pk, agency=urenco.pk, priority=10)
        assert response.status_code == 302
        assert RoutingRule.objects.filter(topic=topic, ward=ward, priority=10, agency=urenco).exists()

    def test_duplicate_city_wide_rule_shows_a_form_error(self, admin_client_en):
        topic = Topic.objects.get(code="waste")  # the seed has its city-wide rule at priority 100
        before = RoutingRule.objects.count()
        response = _post(admin_client_en, topic=topic.pk, target=RoutingTarget.WARD_COMMITTEE, priority=100)
        assert response.status_code == 200
        page = response.content.decode()
        assert "Another rule already has this topic, ward and priority" in page
        assert "is violated" not in page
        assert RoutingRule.objects.count() == before

    def test_duplicate_ward_rule_shows_a_form_error(self, admin_client_en):
        topic, ward = Topic.objects.get(code="trees"), Ward.objects.get(code="00070")
        agency = Agency.objects.get(code="urenco")
        RoutingRule.objects.create(topic=topic, ward=ward, priority=5, agency=agency)
        response = _post(admin_client_en, topic=topic.pk, ward=ward.pk, agency=agency.pk, priority=5)
        assert response.status_code == 200
        assert "Another rule already has this topic, ward and priority" in response.content.decode()
        assert RoutingRule.objects.filter(topic=topic, ward=ward).count() == 1

    def test_inactive_agency_shows_a_form_error(self, admin_client_en):
        agency = Agency.objects.get(code="urenco")
        agency.is_active = False
        agency.save()
        response = _post(admin_client_en, topic=Topic.objects.get(code="waste").pk, agency=agency.pk, priority=7)
        assert response.status_code == 200
        assert "This agency is inactive" in response.content.decode()
        assert not RoutingRule.objects.filter(priority=7).exists()

    def test_a_rule_of_an_inactive_agency_can_still_be_switched_off(self, admin_client_en):
        rule = RoutingRule.objects.get(topic__code="trees", ward=None)
        Agency.objects.filter(pk=rule.agency_id).update(is_active=False)
        url = reverse("admin:agencies_routingrule_change", args=[rule.pk])
        data = {"topic": rule.topic_id, "ward": "", "target": rule.target, "agency": rule.agency_id,
                "priority": rule.priority, "note": rule.note}  # is_active unticked
        response = admin_client_en.post(url, data)
        assert response.status_code == 302
        rule.refresh_from_db()
        assert rule.is_active is False

    def test_agency_target_needs_an_agency(self, admin_client_en):
        response = _post(admin_client_en, topic=Topic.objects.get(code="waste").pk, priority=8)
        assert response.status_code == 200
        assert "Choose the agency this rule sends reports to." in response.content.decode()

    def test_duplicate_rows_in_the_topic_inline_show_a_form_error(self, admin_client_en):
        topic = Topic.objects.get(code="trees")
        ward = Ward.objects.get(code="00004")
        agency = Agency.objects.get(code="urenco")
        url = reverse("admin:agencies_topic_change", args=[topic.pk])
        page = admin_client_en.get(url)
        form = page.context["adminform"].form
        data = {name: ("on" if value is True else value) for name, value in form.initial.items()
                if value is not None and value is not False}
        existing = list(topic.rules.order_by("pk"))
        prefix = "rules"
        data |= {f"{prefix}-TOTAL_FORMS": len(existing) + 2, f"{prefix}-INITIAL_FORMS": len(existing),
                 f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}
        for i, r in enumerate(existing):
            data |= {f"{prefix}-{i}-id": r.pk, f"{prefix}-{i}-topic": topic.pk, f"{prefix}-{i}-ward": r.ward_id or "",
                     f"{prefix}-{i}-target": r.target, f"{prefix}-{i}-agency": r.agency_id or "",
                     f"{prefix}-{i}-priority": r.priority, f"{prefix}-{i}-is_active": "on",
                     f"{prefix}-{i}-note": r.note}
        for i in (len(existing), len(existing) + 1):
            data |= {f"{prefix}-{i}-topic": topic.pk, f"{prefix}-{i}-ward": ward.pk,
                     f"{prefix}-{i}-target": RoutingTarget.AGENCY, f"{prefix}-{i}-agency": agency.pk,
                     f"{prefix}-{i}-priority": 3, f"{prefix}-{i}-is_active": "on", f"{prefix}-{i}-note": ""}
        response = admin_client_en.post(url, data)
        assert response.status_code == 200
        assert "Two rules here have the same ward and priority" in response.content.decode()
        assert not topic.rules.filter(ward=ward).exists()


@pytest.mark.django_db
class OldUnitAdminTests:
    def test_old_units_are_listed_and_read_only(self, admin_client):
        response = admin_client.get("/admin/agencies/oldunit/", {"q": "Tràng Tiền"})
        assert response.status_code == 200
        assert "Tràng Tiền" in response.content.decode()
        assert admin_client.get("/admin/agencies/oldunit/add/").status_code == 403
