"""The office hours the deadlines count, for pages and emails, from the one definition in clocks/calendar.py."""
from django import template

from feedback.clocks.calendar import working_hours_label

register = template.Library()


@register.simple_tag
def working_hours() -> str:
    """'08:00–12:00, 13:00–17:00'."""
    return working_hours_label()
