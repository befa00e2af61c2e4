from django import template
from django.utils.translation import gettext as _

from feedback.lifecycle import CaseStatus

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    """'in_progress' → 'In progress' (translated); unknown or empty values pass through."""
    return CaseStatus(value).label if value in CaseStatus.values else value


@register.filter
def actor_name(event) -> str:
    """Who wrote an event: the staff user, else its label, with the two fixed labels translated."""
    if event.actor_id:
        return str(event.actor)
    return {"system": _("System"), "citizen": _("Citizen")}.get(event.actor_label, event.actor_label)
