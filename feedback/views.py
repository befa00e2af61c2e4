"""Citizen pages: home, report form, tracking (rate / reopen / me too), my reports, public map.

Over 300 lines: one thin view per citizen page, sharing the reporter-key and photo-token helpers.
"""
from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.addresses import old_address_hint, place_from_address
from agencies.selectors import ward_at
from ihanoi.page_cache import shared_page
from offline.services import submit_once, web_form_key  # issue 18: a report's idempotency key

from . import map_json, page_tokens, policy, selectors, uploads
from .forms import RatingForm, ReopenForm, ReportForm, SupportForm
from .lifecycle import CaseStatus
from .photos import accepted_mime_types
from .ratelimits import limit_posts
from .services import citizen, submit_report

SESSION_KEYS = "reporter_keys"  # {tracking code: reporter key} for this browser
PAGE_TTL = 60  # seconds a shared rendered page lives (ihanoi/page_cache.py): bounds what no token covers


@require_GET
@shared_page("home", tokens=page_tokens.topic_tokens, ttl=PAGE_TTL)
def home(request):
    return render(request, "feedback/home.html", {"topics": selectors.active_topics()})


# --- report form -------------------------------------------------------------------------------------------------

def _remember_reporter(request, case) -> None:
    keys = request.session.get(SESSION_KEYS, {})
    keys[case.tracking_code] = policy.reporter_key(case)
    request.session[SESSION_KEYS] = keys


def _report_js_strings() -> dict:
    return {
        "outside": _("Outside Hanoi's wards: the coordination centre will route it."),
        "pinned": _("Pin placed"), "locating": _("Finding your location…"),
        "noGeo": _("Your location is not available. Tap the map or type an address."),
        "meToo": _("Me too"), "follow": _("Follow it"), "away": _("m away"),
        "tooBig": _("is larger than %(limit)d MB; choose a smaller photo.")
        % {"limit": settings.PHOTO_MAX_BYTES // 1_000_000},
        "notImage": _("is not a photo (JPEG, PNG or WebP)."),
        "photoMaxBytes": settings.PHOTO_MAX_BYTES, "photoTypes": accepted_mime_types(),
        "photoGps": _("This photo carries the place where it was taken."),
        "usePhotoGps": _("Use the location of my photo"),
    }


def _render_report(request, form, status=200, limited=None):
    return render(request, "feedback/report.html",
                  {"form": form, "js_strings": _report_js_strings(), "limited": limited}, status=status)


def _report_refused(request, limited):
    """Over WEB_REPORT_RATE: the form again with what the citizen typed, and when to try again."""
    return _render_report(request, ReportForm.refill(request.POST), limited=limited)


@require_http_methods(["GET", "POST"])
@shared_page("report", tokens=page_tokens.topic_tokens, ttl=PAGE_TTL)  # GET only: a POST is never shared
@limit_posts("web-report", rate_setting="WEB_REPORT_RATE", refused=_report_refused)
def report(request):
    if request.method == "GET":
        initial = {"email": request.user.email} if request.user.is_authenticated else {}
        topic = selectors.active_topics().filter(code=request.GET.get("topic", "")).first()
        if topic:  # from a topic link on the home page
            initial["topic"] = topic
        return _render_report(request, ReportForm(initial=initial))
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            case, _created = submit_once(web_form_key(request), lambda: submit_report(
                topic=form.cleaned_data["topic"], description=form.cleaned_data["description"],
                location=form.location(), photos=form.photo_files(), contact=form.contact(request.user),
                channel="web",
            ))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            uploads.discard(p.token for p in form.kept)
            _remember_reporter(request, case)
            request.session["just_submitted"] = case.tracking_code
            return redirect(case)
    form.keep_verified_photos()
    return _render_report(request, form, status=400)


@require_GET
def kept_photo(request, token: str):
    """Preview of a photo kept between two tries of the form (the signed token is the only key)."""
    data = uploads.preview(token)
    if data is None:
        raise Http404
    resp = HttpResponse(data, content_type="image/jpeg")
    resp["Cache-Control"] = "private, max-age=3600"
    return resp


def _point(request) -> tuple[float, float]:
    try:
        lat, lon = float(request.GET["lat"]), float(request.GET["lon"])
    except (KeyError, ValueError):
        raise ValidationError(_("Give lat and lon as decimal degrees."))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or lat != lat or lon != lon:
        raise ValidationError(_("lat must be within ±90 and lon within ±180."))
    return lat, lon


def _bad_request(exc: ValidationError) -> JsonResponse:
    return JsonResponse({"error": " ".join(exc.messages)}, status=400)


@require_GET
def ward_at_point(request):
    """{code, name, full_name} of the ward at ?lat=&lon= (null fields when outside Hanoi)."""
    try:
        lat, lon = _point(request)
    except ValidationError as exc:
        return _bad_request(exc)
    ward = ward_at(lat=lat, lon=lon)
    if ward is None:
        return JsonResponse({"code": None, "name": None, "full_name": None,
                             "message": _("This point is outside Hanoi's wards; the coordination centre will "
                                          "route your report.")})
    return JsonResponse(_ward_json(ward))


def _ward_json(ward) -> dict:
    return {"code": ward.code, "name": ward.name, "full_name": ward.full_name}


@require_GET
def address_place(request):
    """What a typed address says (the report form's live hint): {ward, candidates, needs_pin, message}; an old
    address (before July 2025) gets the message 'Tràng Tiền (cũ) nay thuộc Phường Hoàn Kiếm hoặc Phường Cửa Nam'."""
    place = place_from_address(request.GET.get("address", "")[:300])
    return JsonResponse({"ward": _ward_json(place.ward) if place.ward else None,
                         "candidates": [_ward_json(w) for w in place.candidates], "needs_pin": place.needs_pin,
                         "message": old_address_hint(place)})


def _topic(value: str):
    topic = selectors.active_topics().filter(pk=int(value)).first() if value.isdigit() else None
    if topic is None:
        raise ValidationError(_("Unknown topic."))
    return topic


@require_GET
def nearby(request):
    """Open reports of the same topic within ~100 m: 'is this yours? follow it instead'."""
    try:
        lat, lon = _point(request)
        topic = _topic(request.GET.get("topic", ""))
    except ValidationError as exc:
        return _bad_request(exc)
    cases = selectors.nearby_open_cases(topic=topic, lat=lat, lon=lon)
    return JsonResponse({"results": [
        {"code": c.tracking_code, "url": c.get_absolute_url(),
         "support_url": reverse("feedback:support", kwargs={"code": c.tracking_code}),
         "status": c.get_status_display(), "description": c.description[:140],
         "distance_m": round(c.distance_m), "received": timezone.localdate(c.received_at).isoformat()}
        for c in cases
    ]})


# --- tracking ----------------------------------------------------------------------------------------------------

@require_GET
def track_lookup(request):
    code = request.GET.get("code", "").strip().upper()
    if code and selectors.case_by_code(code):
        return redirect("feedback:track", code=code)
    return render(request, "feedback/track_lookup.html", {"code": code, "not_found": bool(code)},
                  status=404 if code else 200)


def _case_or_404(code: str):
    case = selectors.case_by_code(code)
    if case is None:
        raise Http404
    return case


def _reporter_key(request, case) -> str:
    return request.session.get(SESSION_KEYS, {}).get(case.tracking_code, "")


def _track_context(request, case, **extra) -> dict:
    is_reporter = policy.is_reporter(case, key=_reporter_key(request, case), user=request.user)
    ctx = {
        "case": case, "timeline": selectors.public_timeline(case), "photos": case.photos.all(),
        "is_reporter": is_reporter, "can_rate": is_reporter and policy.can_rate(case),
        "can_reopen": is_reporter and policy.can_reopen(case), "reopen_until": policy.reopen_deadline(case),
        "low_rating": citizen.is_low_rating(case), "clock_note": selectors.clock_note(case),
        "rating_form": RatingForm(initial={"rating": case.rating, "comment": case.rating_comment}), "reopen_form": ReopenForm(), "support_form": SupportForm(),
        "can_support": case.is_open and not is_reporter,
    }
    ctx.update(extra)
    return ctx


@require_GET
@shared_page("track", tokens=page_tokens.track_tokens, ttl=PAGE_TTL)
def track(request, code: str):
    case = _case_or_404(code)
    key = request.GET.get("key", "")
    if key:  # the private link from an email: remember it in this browser, then show the clean shareable URL
        if policy.is_reporter(case, key=key):
            _remember_reporter(request, case)
        return redirect(case)
    just_submitted = request.session.pop("just_submitted", None) == case.tracking_code
    private_link = ""
    if just_submitted:
        private_link = request.build_absolute_uri(case.get_absolute_url()) + "?key=" + _reporter_key(request, case)
    return render(request, "feedback/track.html",
                  _track_context(request, case, just_submitted=just_submitted, private_link=private_link))


def _citizen_action(request, code, form_class, action, done_message, form_name):
    case = _case_or_404(code)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(case, form.cleaned_data)
        except PermissionDenied as exc:
            return render(request, "feedback/track.html", _track_context(request, case, action_error=str(exc)),
                          status=403)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done_message)
            return redirect(case)
    return render(request, "feedback/track.html", _track_context(request, case, **{form_name: form}), status=400)


def _tracking_refused(form_class, form_name):
    """Over WEB_TRACKING_ACTION_RATE: the tracking page again, the form holding what was typed."""

    def refused(request, limited, code):
        case = _case_or_404(code)
        form = form_class(initial=request.POST.dict())
        return render(request, "feedback/track.html",
                      _track_context(request, case, limited=limited, **{form_name: form}))

    return refused


def _limit_tracking_action(form_class, form_name):
    # One counter for "me too", rating and reopening: together they are what a client does on tracking pages.
    return limit_posts("web-tracking-action", rate_setting="WEB_TRACKING_ACTION_RATE",
                       refused=_tracking_refused(form_class, form_name))


@require_POST
@_limit_tracking_action(RatingForm, "rating_form")
def rate(request, code: str):
    def action(case, d):
        citizen.rate_case(case=case, rating=d["rating"], comment=d["comment"], key=_reporter_key(request, case),
                          user=request.user)

    return _citizen_action(request, code, RatingForm, action, _("Thank you for your rating."), "rating_form")


@require_POST
@_limit_tracking_action(ReopenForm, "reopen_form")
def reopen(request, code: str):
    def action(case, d):
        citizen.reopen_case(case=case, reason=d["reason"], key=_reporter_key(request, case), user=request.user)

    return _citizen_action(request, code, ReopenForm, action,
                           _("The report is reopened and goes back to the agency."), "reopen_form")


@require_POST
@_limit_tracking_action(SupportForm, "support_form")
def support(request, code: str):
    def action(case, d):
        citizen.add_support(case=case, name=d["name"], email=d["email"], phone=d["phone"], user=request.user)

    return _citizen_action(request, code, SupportForm, action,
                           _("Thank you: your support was added to this report."), "support_form")


@login_required
@require_GET
def my_reports(request):
    page = Paginator(selectors.reports_of(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "feedback/my_reports.html", {"page": page})


# --- public map --------------------------------------------------------------------------------------------------

@require_GET
def public_map(request):
    filters = map_json.map_filters(request.GET)
    page = Paginator(selectors.public_cases(**filters), 20).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in filters.items() if v})  # for the points URL and the page links
    wards = list(selectors.wards_for_filter())
    ward = next((w for w in wards if w.code == filters["ward"] and w.centroid_lat is not None), None)
    return render(request, "feedback/map.html", {
        "page": page, "filters": filters, "query": query, "topics": selectors.active_topics(),
        "statuses": CaseStatus.choices, "wards": wards,
        "bounds": ",".join(map(str, map_json.HANOI_BBOX)),  # the first view: the city, or the chosen ward
        "center": f"{ward.centroid_lat:.5f},{ward.centroid_lon:.5f}" if ward else "",
    })


@require_GET
def public_map_data(request):
    """Clusters or points of the public cases in a box, by zoom: public fields only (feedback/map_json.py)."""
    return map_json.points_response(request)
