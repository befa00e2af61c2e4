from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from . import selectors


@require_GET
def home(request):
    return render(request, "feedback/home.html", {"topics": selectors.active_topics()})


@require_GET
def track_lookup(request):
    code = request.GET.get("code", "").strip().upper()
    if code and selectors.case_by_code(code):
        return redirect("feedback:track", code=code)
    return render(request, "feedback/track_lookup.html", {"code": code, "not_found": bool(code)},
                  status=404 if code else 200)


@require_GET
def track(request, code: str):
    case = selectors.case_by_code(code)
    if case is None:
        raise Http404
    return render(request, "feedback/track.html",
                  {"case": case, "timeline": selectors.public_timeline(case), "photos": case.photos.all()})
