from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from .models import Agency, OldUnit, RoutingRule, StaffMembership, Topic, Ward
from .routing import candidate_rules, explain, route


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ["code", "full_name", "kind", "area_km2"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "full_name"]
    readonly_fields = ["updated_at"]
    exclude = ["boundary"]


@admin.register(OldUnit)
class OldUnitAdmin(admin.ModelAdmin):
    """Reference data from the shipped CSV (`load_hanoi` owns it): read-only here."""

    list_display = ["old_code", "old_kind", "old_name", "old_district", "ward", "whole"]
    list_filter = ["old_kind", "whole", "old_district"]
    search_fields = ["old_code", "old_name", "old_district", "ward__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "ward", "email", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code", "ward__name"]
    autocomplete_fields = ["ward"]


class RoutingRuleFormSet(BaseInlineFormSet):
    """Each row is validated against the database; this catches two new rows clashing with each other."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            key = (data.get("ward"), data.get("priority"))
            if key in seen:
                raise ValidationError(_("Two rules here have the same ward and priority; change one priority."))
            seen.add(key)


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    formset = RoutingRuleFormSet
    extra = 0
    autocomplete_fields = ["ward", "agency"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "name_en", "urgency", "deadline_days", "deadline_hours", "is_active"]
    list_filter = ["urgency", "is_active", "group"]
    search_fields = ["code", "name_vi", "name_en", "keywords"]
    inlines = [RoutingRuleInline]


class WhoGetsForm(forms.Form):
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.order_by("code"))
    ward = forms.ModelChoiceField(label=_("Ward"), queryset=Ward.objects.order_by("code").defer("boundary"))


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["pk", "topic", "ward", "target", "agency", "priority", "is_active"]
    list_filter = ["topic", "target", "is_active"]
    search_fields = ["topic__code", "ward__name", "ward__code", "agency__name"]
    autocomplete_fields = ["ward", "agency"]
    change_list_template = "admin/agencies/routingrule/change_list.html"

    def get_urls(self):
        who_gets = self.admin_site.admin_view(self.who_gets_view)
        return [path("who-gets/", who_gets, name="agencies_routingrule_who_gets"), *super().get_urls()]

    def who_gets_view(self, request):
        """"Who gets this topic in this ward?": the decision `route` would take, its reason, the rules tried
        (the same answer as `manage.py explain_route`)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = WhoGetsForm(request.GET or None)
        decision = rules = None
        if form.is_valid():
            topic, ward = form.cleaned_data["topic"], form.cleaned_data["ward"]
            decision = route(topic=topic, ward=ward)
            rules = list(candidate_rules(topic=topic, ward=ward))
        return TemplateResponse(request, "admin/agencies/routingrule/who_gets.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
            "title": _("Who gets this topic in this ward?"), "decision": decision, "rules": rules,
            "reason": explain(decision.steps) if decision else "",
        })


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "agency"]
    list_filter = ["role"]
    search_fields = ["user__username", "agency__name"]
    autocomplete_fields = ["agency"]
