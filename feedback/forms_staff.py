"""Forms of the staff pages: they parse input only; the services in feedback.services.case_actions decide."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from agencies.models import Topic, Ward

from . import policy, selectors
from .lifecycle import REJECTED_OUTCOMES, RESOLVED_OUTCOMES, CaseStatus, Outcome


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input; each is verified by feedback.photos.process_photo in the service."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


class QueueFilterForm(forms.Form):
    STATUS_CHOICES = [("", _("All")), ("open", _("Open"))] + list(CaseStatus.choices)

    q = forms.CharField(label=_("Tracking code or text"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.all(), required=False)
    ward = forms.ModelChoiceField(label=_("Ward"), queryset=Ward.objects.all(), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    unrouted = forms.BooleanField(label=_("Dispatcher queue (no agency)"), required=False)
    received_from = forms.DateField(label=_("Received from"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    received_to = forms.DateField(label=_("Received to"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not policy.can_dispatch(user):
            del self.fields["unrouted"]

    def filters(self) -> selectors.QueueFilters:
        d = self.cleaned_data if self.is_valid() else {}
        return selectors.QueueFilters(
            status=d.get("status", ""), topic=d["topic"].pk if d.get("topic") else None,
            ward=d["ward"].pk if d.get("ward") else None, overdue=bool(d.get("overdue")),
            mine=bool(d.get("mine")), unrouted=bool(d.get("unrouted")), received_from=d.get("received_from"),
            received_to=d.get("received_to"), q=d.get("q", ""),
        )


class VersionedForm(forms.Form):
    """Status changes carry the version the officer saw: a change made meanwhile gives a clear conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AcceptForm(VersionedForm):
    note = forms.CharField(label=_("Note to the citizen (optional)"), required=False, widget=forms.Textarea(
        attrs={"rows": 2}))


class TextForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class TransferForm(VersionedForm):
    to_agency = forms.ModelChoiceField(label=_("Transfer to"), queryset=selectors.transfer_targets(), required=False,
                                       empty_label=_("— back to the dispatcher queue —"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class DispatchForm(VersionedForm):
    agency = forms.ModelChoiceField(label=_("Assign to agency"), queryset=selectors.transfer_targets())
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000)


class ExtensionForm(forms.Form):
    due_at = forms.DateTimeField(label=_("New due time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                 input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"])
    reason = forms.CharField(label=_("Why more time is needed"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=2000)


class ResolveForm(VersionedForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[(o.value, o.label) for o in Outcome
                                                              if o in RESOLVED_OUTCOMES])
    reply = forms.CharField(label=_("Public answer to the citizen"), widget=forms.Textarea(attrs={"rows": 4}),
                            max_length=5000)
    proof_photos = MultiplePhotoField(label=_("Proof photos"), required=False,
                                      help_text=_("Required for 'fixed' unless the topic says otherwise; "
                                                  "up to %(n)d.") % {"n": settings.PHOTOS_PER_REPORT})


class RejectForm(VersionedForm):
    outcome = forms.ChoiceField(label=_("Why"), choices=[(o.value, o.label) for o in Outcome
                                                         if o in REJECTED_OUTCOMES and o != Outcome.DUPLICATE],
                                help_text=_(
                                    "Not in remit: the report is not your agency's work and you do not know whose "
                                    "it is. It goes back to the dispatcher, who sends it to the right agency; "
                                    "from the dispatcher queue it is closed as no agency's work in the city. If "
                                    "you know the agency responsible, use Transfer instead. Spam: advertising or "
                                    "abuse, closed without telling the reporter."))
    reason = forms.CharField(label=_("Reason (shown to the citizen, except for spam)"),
                             widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class CorrectTopicForm(VersionedForm):
    topic = forms.ModelChoiceField(label=_("Correct topic"), queryset=Topic.objects.active())


class MergeForm(VersionedForm):
    into = forms.CharField(label=_("Tracking code of the original case"), max_length=16)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000)


class CloseForm(VersionedForm):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000)


class AssignOfficerForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("Officer"), queryset=get_user_model().objects.none())

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if officers is not None:
            self.fields["officer"].queryset = officers


class BulkAssignForm(forms.Form):
    cases = forms.ModelMultipleChoiceField(queryset=None, widget=forms.MultipleHiddenInput)
    officer = forms.ModelChoiceField(label=_("Officer"), queryset=get_user_model().objects.all())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = selectors.staff_cases(user)  # a foreign pk is simply "not a choice"


class DecideExtensionForm(forms.Form):
    approve = forms.TypedChoiceField(choices=[("1", _("Approve")), ("0", _("Refuse"))], coerce=lambda v: v == "1")
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000)
