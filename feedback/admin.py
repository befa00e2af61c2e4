from django.contrib import admin

from .models import ApiClient, CalendarException, Case, CaseEvent, CasePhoto, OutboxMessage


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "actor_label", "from_status", "to_status", "is_public", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CasePhotoInline(admin.TabularInline):
    model = CasePhoto
    extra = 0
    can_delete = False
    fields = ["kind", "image", "width", "height", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["tracking_code", "topic", "ward", "agency", "status", "due_at", "is_overdue", "received_at"]
    list_filter = ["status", "is_overdue", "topic", "urgency", "channel"]
    search_fields = ["tracking_code", "description", "address"]
    date_hierarchy = "received_at"
    list_select_related = ["topic", "ward", "agency"]
    inlines = [CasePhotoInline, CaseEventInline]
    readonly_fields = [f.name for f in Case._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
