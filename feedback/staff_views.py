"""Staff pages at /staff/: the queue, a case page and one POST endpoint per action.

Thin: a view parses a form, calls one selector or one service from feedback.services.case_actions, renders.
The selectors decide what a user sees (404 otherwise); the services decide what they may do (403 otherwise).
"""
from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dashboard import figures
from topicsuggest.predictor import misfiled_hint

from . import forms_staff as f
from . import policy, selectors
from .services import case_actions as actions
from .services import rerouting
from .lifecycle import CaseStatus
from .models import DeadlineExtension, PhotoKind
from .services import ConflictError, TransitionError

PAGE_SIZE = 50


def staff_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not policy.is_staff_member(request.user):
            raise PermissionDenied(_("This page is for agency staff."))
        return view(request, *args, **kwargs)

    return wrapper


def _case_or_404(user, code: str):
    case = selectors.case_for_staff(user, code=code)
    if case is None:
        raise Http404(_("No such case."))
    return case


@require_GET
@staff_required
def queue(request):
    form = f.QueueFilterForm(request.GET or None, user=request.user)
    cases = selectors.staff_queue(request.user, form.filters())
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    managed = selectors.managed_agencies(user)
    officers = selectors.officers_of(managed[0].pk) if len(managed) == 1 else None
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.queue_counts(user)
    return render(request, "staff/queue.html", {
        "form": form, "page": page, "counts": counts,
        "statuses": [(value, label, counts[value]) for value, label in CaseStatus.choices],
        "can_dispatch": policy.can_dispatch(user), "officers": officers, "query": query.urlencode(),
        "is_manager": bool(managed), "read_only": not policy.can_work_cases(user),
        "performance": figures.agency_summary(user=user, agencies=managed),
    })


def _case_context(request, case, **forms):
    user = request.user
    can_act = policy.can_act_on(user, case)
    officers = selectors.officers_of(case.agency_id)
    is_manager = policy.is_manager_of(user, case.agency_id)
    version = {"version": case.version}
    available = policy.staff_actions(user, case)
    defaults = {
        "accept": f.AcceptForm(initial=version), "reply": f.TextForm(prefix="reply"),
        "note": f.TextForm(prefix="note"), "transfer": f.TransferForm(initial=version),
        "dispatch": f.DispatchForm(initial=version), "extension": f.ExtensionForm(),
        "resolve": f.ResolveForm(initial=version), "reject": f.RejectForm(initial=version),
        "merge": f.MergeForm(initial=version), "close": f.CloseForm(initial=version),
        "assign": f.AssignOfficerForm(officers=officers if is_manager else officers.filter(pk=user.pk)),
    }
    topic_hint = misfiled_hint(case) if case.is_open else None  # topicsuggest: "may be misfiled"
    defaults["topic"] = f.CorrectTopicForm(initial={**version, "topic": topic_hint.topic if topic_hint else case.topic})
    defaults.update(forms)
    photos = list(case.photos.all())
    return {
        "case": case, "events": selectors.staff_timeline(case), "can_act": can_act, "is_manager": is_manager,
        "clock_note": selectors.clock_note(case, public=False),
        "forms": {name: form for name, form in defaults.items() if name in available},
        "report_photos": [p for p in photos if p.kind == PhotoKind.REPORT],
        "proof_photos": [p for p in photos if p.kind == PhotoKind.PROOF],
        "extensions": case.extensions.select_related("requested_by", "decided_by").order_by("-created_at"),
        "decide_form": f.DecideExtensionForm() if is_manager else None,
        "ward_boundary": case.ward.boundary if case.ward_id else None,
        "point": [case.latitude, case.longitude] if case.latitude is not None else None,
        "topic_hint": topic_hint,
    }


@require_GET
@staff_required
def case_detail(request, code: str):
    case = _case_or_404(request.user, code)
    return render(request, "staff/case.html", _case_context(request, case))


def _run(form, case, action, user):
    """Call the service for `action` with the form's cleaned data."""
    d = form.cleaned_data
    if "version" in d:
        case.version = d["version"]  # the version the officer saw when the form was shown
    match action:
        case "accept":
            actions.accept_case(case=case, actor=user, note=d["note"])
            return _("Case accepted.")
        case "reply":
            actions.reply_case(case=case, actor=user, text=d["text"])
            return _("Reply published and sent to the citizen.")
        case "note":
            actions.add_internal_note(case=case, actor=user, text=d["text"])
            return _("Internal note added.")
        case "transfer":
            actions.transfer_case(case=case, actor=user, to_agency=d["to_agency"], reason=d["reason"])
            return _("Case transferred.")
        case "dispatch":
            actions.dispatch_case(case=case, agency=d["agency"], actor=user, note=d["note"])
            return _("Case assigned to %(agency)s.") % {"agency": d["agency"]}
        case "extension":
            actions.request_extension(case=case, actor=user, due_at=d["due_at"], reason=d["reason"])
            return _("Extension requested; a manager of the agency will decide.")
        case "resolve":
            actions.resolve_case(case=case, actor=user, outcome=d["outcome"], reply=d["reply"],
                                 proof_photos=d["proof_photos"])
            return _("Case resolved; the citizen has been told.")
        case "reject":
            actions.reject_case(case=case, actor=user, outcome=d["outcome"], reason=d["reason"])
            return _("Case rejected.")
        case "merge":
            into = selectors.case_for_staff(user, code=d["into"])
            if into is None:
                raise ValidationError({"into": _("No case with this tracking code.")})
            actions.merge_case(case=case, into=into, actor=user, note=d["note"])
            return _("Case merged into %(code)s.") % {"code": into.tracking_code}
        case "close":
            actions.close_case(case=case, actor=user, note=d["note"])
            return _("Case closed.")
        case "topic":
            rerouting.correct_topic(case=case, actor=user, topic=d["topic"], expected_version=d["version"])
            return _("Topic corrected to %(topic)s; the case was routed again.") % {"topic": d["topic"].name}
        case "assign":
            actions.assign_officer(cases=[case], officer=d["officer"], actor=user)
            return _("Case assigned to %(officer)s.") % {"officer": d["officer"]}
    raise Http404


FORMS = {
    "accept": f.AcceptForm, "reply": f.TextForm, "note": f.TextForm, "transfer": f.TransferForm,
    "dispatch": f.DispatchForm, "extension": f.ExtensionForm, "resolve": f.ResolveForm, "reject": f.RejectForm,
    "merge": f.MergeForm, "close": f.CloseForm, "assign": f.AssignOfficerForm, "topic": f.CorrectTopicForm,
}


@require_POST
@staff_required
def case_action(request, code: str, action: str):
    if action not in FORMS:
        raise Http404
    case = _case_or_404(request.user, code)
    prefix = action if action in ("reply", "note") else None
    kwargs = {"officers": selectors.officers_of(case.agency_id)} if action == "assign" else {}
    form = FORMS[action](request.POST, request.FILES, prefix=prefix, **kwargs)
    status = 400
    if form.is_valid():
        try:
            messages.success(request, _run(form, case, action, request.user))
            if selectors.case_for_staff(request.user, pk=case.pk) is None:  # e.g. transferred away
                return redirect("staff:queue")
            return redirect("staff:case", code=case.tracking_code)
        except (ConflictError, TransitionError) as exc:
            messages.error(request, " ".join(exc.messages) if hasattr(exc, "messages") else str(exc))
            status = 409
        except ValidationError as exc:
            _attach(form, exc)
    if status == 400:
        messages.error(request, _("Please correct the errors below."))
    try:
        case = _case_or_404(request.user, code)  # show the case as it is now
    except Http404:  # e.g. transferred away meanwhile
        return redirect("staff:queue")
    if status == 409 and "version" in form.fields:  # keep what was typed, against the current version
        data = request.POST.copy()
        data["version"] = str(case.version)
        form = FORMS[action](data, prefix=prefix, **kwargs)
    return render(request, "staff/case.html", _case_context(request, case, **{action: form}), status=status)


def _attach(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@require_POST
@staff_required
def bulk_assign(request):
    form = f.BulkAssignForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose the cases and an officer."))
    else:
        try:
            n = actions.assign_officer(cases=form.cleaned_data["cases"], officer=form.cleaned_data["officer"],
                                       actor=request.user)
            messages.success(request, _("%(n)d case(s) assigned to %(officer)s.")
                             % {"n": n, "officer": form.cleaned_data["officer"]})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return _back(request, "staff:queue")


@require_GET
@staff_required
def extensions(request):
    pending = selectors.pending_extensions_for(request.user)
    return render(request, "staff/extensions.html", {"pending": pending, "form": f.DecideExtensionForm()})


@require_POST
@staff_required
def decide_extension(request, pk: int):
    ext = selectors.pending_extensions_for(request.user).filter(pk=pk).first()
    if ext is None:
        if DeadlineExtension.objects.filter(pk=pk, case__in=selectors.staff_cases(request.user)).exists():
            raise PermissionDenied(_("Only a manager of the agency decides extension requests."))
        raise Http404
    form = f.DecideExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
        return redirect("staff:extensions")
    try:
        actions.decide_extension(extension=ext, actor=request.user, approve=form.cleaned_data["approve"],
                                 note=form.cleaned_data["note"])
        messages.success(request, _("Decision recorded."))
    except ConflictError as exc:
        messages.error(request, str(exc))
    return _back(request, "staff:extensions")


def _back(request, default: str):
    """Back to the staff page the form was on (only a local /staff/ path), else `default`."""
    target = str(request.POST.get("next", ""))
    return redirect(target if target.startswith("/staff/") and "//" not in target else default)
