from django.contrib import admin

from .models import TopicModel


@admin.register(TopicModel)
class TopicModelAdmin(admin.ModelAdmin):
    """The stored versions, read-only: trained by `train_topic_model` (nightly task or command) only."""

    list_display = ("pk", "trained_at", "algorithm", "accuracy", "seed_rows", "correction_rows", "features",
                    "topics", "size_bytes", "train_seconds")
    exclude = ("blob",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
