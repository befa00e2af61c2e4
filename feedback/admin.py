from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from . import api_clients, policy, selectors
from .services import case_actions
from .clocks import deadlines  # noqa: F401  (connects the calendar-invalidation signals)
from .models import ApiClient, CalendarException, Case, CaseEvent, CasePhoto, DeadlineExtension, OutboxMessage


class ReadOnlyForStaff:
    """Staff members may look; nobody adds, changes or deletes case data through the admin."""

    def has_module_permission(self, request):
        return policy.is_staff_member(request.user)

    def has_view_permission(self, request, obj=None):
        return policy.is_staff_member(request.user)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StaffScopedAdmin(ReadOnlyForStaff, admin.ModelAdmin):
    """Read-only admin for case data, scoped by the same selectors as the staff pages and the API.

    Changes happen through the staff pages (feedback.services.case_actions), never by editing rows here; a case the
    user may not see is a 404, exactly as on /staff/.
    """

    def scope(self, request, qs):
        raise NotImplementedError

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("No such object."))
        return obj


class ReadOnlyInline(ReadOnlyForStaff, admin.TabularInline):
    extra = 0
    can_delete = False


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["created_at", "kind", "actor_label", "from_status", "to_status", "is_public", "note"]
    readonly_fields = fields


class CasePhotoInline(ReadOnlyInline):
    model = CasePhoto
    fields = ["kind", "image", "width", "height", "created_at"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(StaffScopedAdmin):
    list_display = ["tracking_code", "topic", "ward", "agency", "status", "outcome", "due_at", "is_overdue",
                    "support_count", "assigned_officer", "received_at"]
    list_filter = ["status", "outcome", "is_overdue", "topic", "urgency", "channel"]
    search_fields = ["=tracking_code", "description", "address"]
    date_hierarchy = "received_at"
    list_select_related = ["topic", "ward", "agency", "assigned_officer"]
    inlines = [CasePhotoInline, CaseEventInline]
    readonly_fields = [f.name for f in Case._meta.fields]
    actions = ["assign_to_me", "accept"]

    def scope(self, request, qs):
        return qs.filter(pk__in=selectors.staff_cases(request.user).values("pk")).with_names("assigned_officer")

    def get_actions(self, request):
        return super().get_actions(request) if policy.can_work_cases(request.user) else {}

    def _run(self, request, fn, done):
        try:
            n = fn()
        except (PermissionDenied, ValidationError, case_actions.ConflictError) as exc:
            self.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)
            return
        self.message_user(request, done % {"n": n}, messages.SUCCESS)

    @admin.action(description=_("Assign the selected cases to me"))
    def assign_to_me(self, request, queryset):
        self._run(request, lambda: case_actions.assign_officer(cases=list(queryset), officer=request.user,
                                                               actor=request.user), _("%(n)d case(s) assigned."))

    @admin.action(description=_("Accept the selected cases"))
    def accept(self, request, queryset):
        @transaction.atomic  # all or nothing
        def run():
            for case in queryset:
                case_actions.accept_case(case=case, actor=request.user)
            return len(queryset)

        self._run(request, run, _("%(n)d case(s) accepted."))


@admin.register(CaseEvent)
class CaseEventAdmin(StaffScopedAdmin):
    """The append-only log: searchable, never editable or deletable (CaseEvent.save/delete refuse too)."""

    list_display = ["created_at", "case", "kind", "actor_label", "from_status", "to_status", "is_public"]
    list_filter = ["kind", "is_public"]
    search_fields = ["=case__tracking_code", "note"]
    list_select_related = ["case"]
    readonly_fields = [f.name for f in CaseEvent._meta.fields]
    actions = None

    def scope(self, request, qs):
        return qs.filter(case__in=selectors.staff_cases(request.user).values("pk"))


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(StaffScopedAdmin):
    list_display = ["case", "status", "requested_due_at", "requested_by", "decided_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["=case__tracking_code", "reason"]
    readonly_fields = [f.name for f in DeadlineExtension._meta.fields]
    actions = None

    def scope(self, request, qs):
        return qs.filter(case__in=selectors.staff_cases(request.user).values("pk"))


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    """City extra days off / make-up working days. Saving or deleting one invalidates the working calendar
    of every process (signals in feedback.clocks.deadlines, imported here so they are connected)."""

    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]
    date_hierarchy = "date"


class ApiClientAddForm(forms.ModelForm):
    api_key = forms.CharField(
        label=_("API key"), max_length=200,
        help_text=_("Copy this key now and give it to the partner: only its hash is stored, it cannot be shown "
                    "again."),
    )

    class Meta:
        model = ApiClient
        fields = ["name", "api_key", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if "api_key" in cleaned:
            cleaned["api_key"] = api_clients.check_new_api_key(cleaned["api_key"])
        return cleaned


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """The add form proposes a random key; the key is stored as a hash and shown once, after saving."""

    list_display = ["name", "key_prefix", "is_active", "created_at"]
    readonly_fields = ["key_prefix", "created_at"]

    def get_fields(self, request, obj=None):
        return ["name", "api_key", "is_active"] if obj is None else ["name", "key_prefix", "is_active", "created_at"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiClientAddForm
        return super().get_form(request, obj, **kwargs)

    def get_changeform_initial_data(self, request):
        return {**super().get_changeform_initial_data(request), "api_key": api_clients.new_api_key()}

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        key = form.cleaned_data["api_key"]
        api_clients.set_api_key(client=obj, api_key=key)
        messages.warning(request, _("API key of %(name)s: %(key)s (copy it now: it is not stored and will not be "
                                    "shown again).") % {"name": obj.name, "key": key})


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "recipient", "subject", "status", "attempts"]
    list_filter = ["status", "channel"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False
