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


def _routing(event):
    return (event.data or {}).get("routing")


@register.filter
def event_note(event) -> str:
    """An event's note; a routing event's reason in the reader's language (from the steps in its data)."""
    steps = _routing(event)
    return explain(steps) if steps else event.note


@register.simple_tag
def routing_reason(case, events) -> str:
    """The case's routing reason in the reader's language: the latest routing event's, else the stored text
    (cases routed before the steps were kept)."""
    latest = next((e for e in reversed(list(events)) if _routing(e)), None)
    return event_note(latest) if latest else case.routing_reason
