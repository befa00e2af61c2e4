from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ContactChannel, Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """SMS/Zalo deliveries for operators: filter by failed to see what did not reach citizens and why."""

    list_display = ("message_id", "channel", "recipient", "status", "attempts", "next_attempt_at", "short_error",
                    "updated_at")
    list_filter = ("status", "channel")
    search_fields = ("message__recipient", "message__case__tracking_code")
    list_select_related = ("message",)
    readonly_fields = [f.name for f in Delivery._meta.fields]

    @admin.display(description=_("recipient"))
    def recipient(self, obj):
        return obj.message.recipient

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return obj.last_error[:120]

    def has_add_permission(self, request):
        return False


@admin.register(ContactChannel)
class ContactChannelAdmin(admin.ModelAdmin):
    list_display = ("case", "channel", "address", "created_at")
    list_filter = ("channel",)
    search_fields = ("case__tracking_code", "address")
    raw_id_fields = ("case",)
