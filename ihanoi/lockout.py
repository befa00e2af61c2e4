"""Login lockout (django-axes): what a locked-out username+IP sees, on the site's and the admin's login alike."""
from __future__ import annotations

from axes.helpers import get_client_username, get_cool_off
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.urls import reverse

from feedback.ratelimits import Limited


def cool_off(request) -> Limited:
    """How long the lockout of this request's username+IP lasts from now (settings.AXES_COOLOFF_TIME)."""
    return Limited(retry_after=int(get_cool_off(request).total_seconds()))


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page again (429), with the username kept and when to try again, in the
    reader's language. A lockout on /admin/login/ shows it too and logs in to the admin afterwards."""
    limited = cool_off(request)
    admin = reverse("admin:index")
    next_url = request.POST.get("next") or request.GET.get("next") or (admin if request.path.startswith(admin) else "")
    form = AuthenticationForm(request, initial={"username": get_client_username(request, credentials) or ""})
    response = render(request, "registration/login.html", {"form": form, "next": next_url, "locked_out": limited},
                      status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response
