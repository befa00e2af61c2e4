"""Admin for the routing rules learnt from transfers (agencies/learning.py): the evidence, and one click to
accept (the rule is made) or dismiss (with a reason). The decision is made by the services, never by a form save."""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from . import learning
from .models import RoutingSuggestion, RoutingSuggestionDecision, SuggestionStatus

EVIDENCE_LINKS = 50  # case links shown on the page (the list of all of them is one link more)


class DecisionInline(admin.TabularInline):
    model = RoutingSuggestionDecision
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "actor_label", "reason", "rule"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _case_url(pk: int) -> str | None:
    try:
        return reverse("admin:feedback_case_change", args=[pk])
    except NoReverseMatch:
        return None


@admin.register(RoutingSuggestion)
class RoutingSuggestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "topic", "ward", "from_agency", "to_agency", "transfer_count", "case_count",
                    "share_shown", "status", "updated_at"]
    list_filter = ["status", "topic"]
    search_fields = ["topic__code", "ward__name", "ward__code", "from_agency__name", "to_agency__name"]
    list_select_related = ["topic", "ward", "from_agency", "to_agency"]
    fields = ["topic", "ward", "from_agency", "to_agency", "transfer_count", "case_count", "share_shown",
              "window_days", "last_transfer_at", "evidence", "status", "dismissed_at_count", "rule", "created_at",
              "updated_at"]
    readonly_fields = fields
    inlines = [DecisionInline]
    change_form_template = "admin/agencies/routingsuggestion/change_form.html"

    def has_add_permission(self, request):
        return False  # made by the nightly task only

    def has_change_permission(self, request, obj=None):
        return False  # decided through the buttons (learning.accept_suggestion / dismiss_suggestion)

    @admin.display(description=_("share of the cases"))
    def share_shown(self, obj):
        return f"{obj.share:.0%}"

    @admin.display(description=_("evidence (moved cases)"))
    def evidence(self, obj):
        shown = [(pk, _case_url(pk)) for pk in obj.case_ids[:EVIDENCE_LINKS]]
        links = format_html_join(", ", '<a href="{}">#{}</a>', ((url, pk) for pk, url in shown if url))
        try:
            every = reverse("admin:feedback_case_changelist") + "?id__in=" + ",".join(map(str, obj.case_ids))
        except NoReverseMatch:
            return links
        return format_html('{} — <a href="{}">{}</a>', links, every, _("all of them in the case list"))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/accept/", view(self.accept_view), name="agencies_routingsuggestion_accept"),
            path("<int:pk>/dismiss/", view(self.dismiss_view), name="agencies_routingsuggestion_dismiss"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"can_decide": learning.can_decide(request.user), "open_status": SuggestionStatus.OPEN,
                 **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _decide(self, request, pk, decide, done):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        suggestion = RoutingSuggestion.objects.filter(pk=pk).first()
        if suggestion is None:
            raise Http404(_("No such suggestion."))
        try:
            result = decide(suggestion)
        except ValidationError as exc:  # PermissionDenied goes up: a 403
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:agencies_routingsuggestion_change", args=[pk]))
        self.message_user(request, done % {"obj": result}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:agencies_routingsuggestion_changelist"))

    def accept_view(self, request, pk):
        def accept(suggestion):
            rule = learning.accept_suggestion(suggestion=suggestion, actor=request.user)
            # the rule's own admin history says who made it, and from what
            self.log_addition(request, rule, f"Accepted routing suggestion #{suggestion.pk}")
            return rule

        return self._decide(request, pk, accept, _("Routing rule %(obj)s created."))

    def dismiss_view(self, request, pk):
        reason = request.POST.get("reason", "")
        return self._decide(
            request, pk, lambda s: learning.dismiss_suggestion(suggestion=s, actor=request.user, reason=reason),
            _("Suggestion %(obj)s dismissed."))
