import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from agencies.models import Agency, AgencyKind, RoutingRule, RoutingTarget, StaffMembership, StaffRole, Topic, Ward

pytestmark = pytest.mark.django_db


class ModelInvariantTests:
    def test_ward_code_must_be_five_digits(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Ward.objects.create(code="70", name="X", full_name="Phường X", kind="phuong", boundary={})

    def test_ward_committee_needs_a_ward(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Agency.objects.create(code="ubnd-none", name="UBND ?", kind=AgencyKind.WARD_COMMITTEE)

    def test_rule_topic_ward_priority_unique_city_wide_too(self):
        topic = Topic.objects.get(code="waste")
        with pytest.raises(IntegrityError), transaction.atomic():
            RoutingRule.objects.create(topic=topic, ward=None, priority=100, target=RoutingTarget.WARD_COMMITTEE)

    def test_rule_unique_for_a_ward(self):
        topic, ward = Topic.objects.get(code="waste"), Ward.objects.get(code="00070")
        agency = Agency.objects.get(code="urenco")
        RoutingRule.objects.create(topic=topic, ward=ward, priority=10, agency=agency)
        with pytest.raises(IntegrityError), transaction.atomic():
            RoutingRule.objects.create(topic=topic, ward=ward, priority=10, agency=agency)

    def test_rule_target_must_match_agency(self):
        topic = Topic.objects.get(code="waste")
        with pytest.raises(IntegrityError), transaction.atomic():
            RoutingRule.objects.create(topic=topic, priority=5, target=RoutingTarget.AGENCY, agency=None)

    def test_rule_clean_refuses_inactive_agency_and_duplicates(self):
        topic = Topic.objects.get(code="trees")
        agency = Agency.objects.get(code="urenco")
        agency.is_active = False
        agency.save()
        with translation.override("en"):  # messages are translated; check the English source
            with pytest.raises(ValidationError, match="inactive"):
                RoutingRule(topic=topic, priority=5, agency=agency).full_clean()
            with pytest.raises(ValidationError, match="already has this topic"):
                RoutingRule(topic=topic, priority=100, target=RoutingTarget.WARD_COMMITTEE).full_clean()

    def test_officer_membership_needs_agency(self, django_user_model):
        user = django_user_model.objects.create_user("u1")
        with pytest.raises(IntegrityError), transaction.atomic():
            StaffMembership.objects.create(user=user, role=StaffRole.OFFICER)
        StaffMembership.objects.create(user=user, role=StaffRole.LEADER)  # leaders act city-wide
