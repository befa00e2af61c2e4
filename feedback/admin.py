from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from . import case_actions, selectors
from .models import ApiClient, CalendarException, Case, CaseEvent, CasePhoto, DeadlineExtension, OutboxMessage


class ReadOnlyForStaff:
    """Staff members may look; nobody adds, changes or deletes case data through the admin."""

    def has_module_permission(self, request):
        return selectors.is_staff_member(request.user)

    def has_view_permission(self, request, obj=None):
        return selectors.is_staff_member(request.user)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StaffScopedAdmin(ReadOnlyForStaff, admin.ModelAdmin):
    """Read-only admin for case data, scoped by the same selectors as the staff pages and the API.

    Changes happen through the staff pages (feedback.case_actions), never by editing rows here; a case the
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
                    "assigned_officer", "received_at"]
    list_filter = ["status", "outcome", "is_overdue", "topic", "urgency", "channel"]
    search_fields = ["=tracking_code", "description", "address"]
    date_hierarchy = "received_at"
    list_select_related = ["topic", "ward", "agency", "assigned_officer"]
    inlines = [CasePhotoInline, CaseEventInline]
    readonly_fields = [f.name for f in Case._meta.fields]
    actions = ["assign_to_me", "accept"]

    def scope(self, request, qs):
        return qs.filter(pk__in=selectors.staff_cases(request.user).values("pk"))

    def get_actions(self, request):
        return super().get_actions(request) if selectors.can_work_cases(request.user) else {}

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
    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "created_at"]

    def get_changeform_initial_data(self, request):
        import secrets

        return {**super().get_changeform_initial_data(request), "api_key": secrets.token_urlsafe(32)}


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "recipient", "subject", "status", "attempts"]
    list_filter = ["status", "channel"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False
