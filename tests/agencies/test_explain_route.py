"""`manage.py explain_route` and the admin's "who gets this topic in this ward?" preview: the routing answered
without SQL, the same answer `route` gives a report."""
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from agencies.models import Agency, RoutingRule, Topic, Ward
from agencies.routing import route

pytestmark = pytest.mark.django_db


def explain_route(**kwargs) -> str:
    out = StringIO()
    call_command("explain_route", stdout=out, **kwargs)
    return out.getvalue()


class ExplainRouteCommandTests:
    def test_lighting_in_an_urban_ward_goes_to_the_city_company(self):
        ward = Ward.objects.get(code="00070")
        expected = route(topic=Topic.objects.get(code="public-lighting"), ward=ward)
        text = explain_route(topic="public-lighting", ward="00070")
        assert text.splitlines()[0] == f"public-lighting in 00070 {ward.full_name}: {expected.agency}"
        assert f"#{expected.rule.pk} city-wide" in text and "← chosen" in text

    def test_the_ward_may_be_named(self):
        assert explain_route(topic="public-lighting", ward="Hoàn Kiếm") == explain_route(
            topic="public-lighting", ward="00070")

    def test_a_ward_rule_wins_and_is_shown_first(self):
        ward = Ward.objects.get(code="00070")
        topic = Topic.objects.get(code="public-lighting")
        agency = Agency.objects.get(code="ubnd-00070")
        rule = RoutingRule.objects.create(topic=topic, ward=ward, agency=agency, priority=1)
        lines = explain_route(topic="public-lighting", ward="00070").splitlines()
        assert lines[0].endswith(str(agency))
        assert lines[3].startswith(f"  #{rule.pk} ward 00070") and lines[3].endswith("← chosen")

    def test_unknown_topic_or_ward(self):
        with pytest.raises(CommandError):
            explain_route(topic="nonsense", ward="00070")
        with pytest.raises(CommandError):
            explain_route(topic="public-lighting", ward="Atlantis")


class WhoGetsAdminTests:
    def test_the_preview_shows_the_agency_and_its_reason(self, client, english):
        admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
        english.force_login(admin)
        ward, topic = Ward.objects.get(code="00070"), Topic.objects.get(code="public-lighting")
        expected = route(topic=topic, ward=ward)
        changelist = english.get(reverse("admin:agencies_routingrule_changelist")).content.decode()
        assert reverse("admin:agencies_routingrule_who_gets") in changelist
        html = english.get(reverse("admin:agencies_routingrule_who_gets"),
                           {"topic": topic.pk, "ward": ward.pk}).content.decode()
        assert f'<h2 id="who-gets-answer">{expected.agency}</h2>' in html
        assert "city-wide" in html

    def test_only_staff_see_it(self, client):
        response = client.get(reverse("admin:agencies_routingrule_who_gets"))
        assert response.status_code == 302  # to the admin login
