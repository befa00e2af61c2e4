"""{% offline_head %} in the base template (manifest, theme colour); {% offline_form_data %} on the report form
(the words and URLs offline-report.js needs, as a json_script: the CSP allows no inline script)."""
from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html, json_script
from django.utils.translation import gettext as _

from feedback.selectors import active_topics

from ..views import THEME_COLOR

register = template.Library()


@register.simple_tag
def offline_head():
    return format_html('<link rel="manifest" href="{}">\n  <meta name="theme-color" content="{}">\n'
                       '  <link rel="apple-touch-icon" href="{}">',
                       reverse("offline:manifest"), THEME_COLOR, static("icons/icon-192.png"))


@register.simple_tag
def offline_form_data():
    return json_script({
        "swUrl": reverse("offline:service_worker"),
        "apiUrl": reverse("api:report-create"),
        "sentUrl": reverse("offline:sent", kwargs={"key": "00000000-0000-0000-0000-000000000000"}),
        "topics": {str(pk): code for pk, code in active_topics().values_list("pk", "code")},
        "saved": _("Saved on this phone, will send when online."),
        "sending": _("Sending your saved report…"),
        "sent": _("Your report was sent. Tracking code:"),
        "track": _("Follow it"),
        "refused": _("Your saved report was not accepted:"),
        "draftRestored": _("Your draft was restored from this phone."),
        # the form's own checks, made before a report is queued (the server makes them again when it arrives)
        "check": _("Please check the form"), "needTopic": _("Choose a topic…"),
        "needPhoto": _("Add at least one photo of the problem."),
        "needDescription": _("Describe the problem in at least 10 characters."),
        "needLocation": _("Give a location: a point on the map, your GPS position or an address."),
    }, "offline-i18n")

