from django import template
from django.utils.translation import gettext as _

from agencies.routing import explain
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


@register.filter
def event_note(event) -> str:
    """An event's note; a routing event's reason in the reader's language (from the steps in its data)."""
    steps = (event.data or {}).get("routing")
    return explain(steps) if steps else event.note


@register.simple_tag
def routing_reason(case, events) -> str:
    """The case's routing reason in the reader's language: the latest routing event's steps, else the stored
    text (cases routed before the steps were kept)."""
    for e in reversed(list(events)):
        steps = (e.data or {}).get("routing")
        if steps:
            return explain(steps)
    return case.routing_reason
