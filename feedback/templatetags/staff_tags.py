from django import template

from feedback.lifecycle import CaseStatus

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    """'in_progress' → 'In progress' (translated); unknown or empty values pass through."""
    return CaseStatus(value).label if value in CaseStatus.values else value
