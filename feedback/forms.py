"""Citizen forms: the report form (with photos kept across tries), support, rating, reopening."""
from __future__ import annotations

from dataclasses import replace

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agencies import reference
from agencies.addresses import old_address_hint, place_from_address
from agencies.models import Topic
from notify_channels.forms import ChannelChoiceMixin

from . import intake, uploads
from .photos import ProcessedPhoto, process_photo
from .selectors import active_topics
from .services import Contact, Location

phone_validator = RegexValidator(
    r"^\+?[0-9 .\-]{8,20}$", _("Enter a phone number with digits only, e.g. 0912 345 678.")
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); each is verified in ReportForm.clean."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _kept_photos(data) -> list[uploads.PendingPhoto]:
    """The photos a form's earlier tries kept (signed tokens in `kept_photos`), at most PHOTOS_PER_REPORT."""
    tokens = data.getlist("kept_photos") if hasattr(data, "getlist") else []
    return [p for p in (uploads.read_token(t) for t in tokens[: intake.photos_max()]) if p]


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return obj.name

    def to_python(self, value):
        """The chosen active topic, from the process's routing tables (agencies/reference.py): no query."""
        if value in self.empty_values:
            return None
        try:
            topic = reference.active_topic(pk=int(value))
        except (TypeError, ValueError):
            topic = None
        if topic is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return topic


class ContactFields(forms.Form):
    """Optional contact, never shown publicly."""

    name = forms.CharField(label=_("Your name"), max_length=120, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False, validators=[phone_validator],
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}))
    email = forms.EmailField(label=_("Email"), required=False,
                             help_text=_("We email you when the report moves on."),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def contact(self, user=None) -> Contact:
        d = self.cleaned_data
        return Contact(name=d.get("name", ""), phone=d.get("phone", ""), email=d.get("email", ""), user=user)


class ReportForm(ChannelChoiceMixin, ContactFields):  # + notify_by (notify_channels/)
    topic = TopicChoiceField(label=_("Topic"), queryset=Topic.objects.none(), empty_label=_("Choose a topic…"))
    description = forms.CharField(
        label=_("What is the problem?"), min_length=intake.DESCRIPTION_MIN, max_length=intake.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={
            "rows": 4, "placeholder": _("e.g. The street light in front of no. 12 has been off for a week.")}),
    )
    photos = MultipleFileField(label=_("Photos"), required=False,
                               help_text=_("1 to 5 photos, JPEG, PNG or WebP, up to 10 MB each."))
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    address = forms.CharField(label=_("Address or landmark"), max_length=300, required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "street-address",
                                                            "placeholder": _("e.g. 12 Hàng Bài, Hoàn Kiếm")}))

    field_order = ["topic", "description", "photos", "latitude", "longitude", "address", "name", "phone", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = active_topics()
        self.kept: list[uploads.PendingPhoto] = []  # photos kept from an earlier try
        self.new_photos: list[tuple[object, ProcessedPhoto]] = []  # verified uploads of this try, processed once
        self.gps_offer: tuple[float, float] | None = None
        self.address_hint = ""  # what an old address (before July 2025) is now
        self.checked_address = ""  # an old address the citizen was asked to pin: sent as it is on the next try

    @classmethod
    def refill(cls, data) -> ReportForm:
        """An unbound form holding what a refused POST carried (rate limit): its text and the photos kept from
        earlier tries. Its new uploads are not processed."""
        form = cls(initial={name: data.get(name, "") for name in cls.base_fields if name != "photos"})
        form.kept = _kept_photos(data)
        return form

    def contact(self, user=None) -> Contact:
        return replace(super().contact(user), notify_by=self.channel_choice())

    # --- photos ------------------------------------------------------------------------------------------------
    def _verify_photos(self) -> None:
        self.kept = _kept_photos(self.data)
        errors = []
        for upload in self.cleaned_data.get("photos") or []:
            try:
                processed = process_photo(upload)
            except ValidationError as exc:
                errors.extend(exc.messages)
                continue
            self.new_photos.append((upload, processed))
        count = len(self.kept) + len(self.new_photos)
        if count > intake.photos_max():
            errors.append(ngettext("Add at most %(n)d photo.", "Add at most %(n)d photos.",
                                   intake.photos_max()) % {"n": intake.photos_max()})
        elif count == 0 and not errors:
            errors.append(_("Add at least one photo of the problem."))
        if errors:
            self.add_error("photos", errors)

    def photo_gps(self) -> tuple[float, float] | None:
        for gps in [p.gps for p in self.kept] + [done.gps for _u, done in self.new_photos]:
            if gps:
                return gps
        return None

    def keep_verified_photos(self) -> None:
        """After a failed try: keep every verified new photo privately so the citizen need not pick it again."""
        self.kept += [uploads.keep(upload, gps=done.gps) for upload, done in self.new_photos]
        self.new_photos = []

    def photo_files(self) -> list:
        """Kept photos as files (submit_report verifies them), this try's as the ProcessedPhoto made in clean()."""
        files = [f for f in (uploads.open_kept(p.token) for p in self.kept) if f is not None]
        return files + [done for _upload, done in self.new_photos]

    # --- the whole form ----------------------------------------------------------------------------------------
    def clean(self):
        data = super().clean()
        self._verify_photos()
        lat, lon, address = data.get("latitude"), data.get("longitude"), (data.get("address") or "").strip()
        problem = intake.location_problem(lat=lat, lon=lon, address=address)
        if problem == intake.INCOMPLETE:
            raise ValidationError(_("The map point is incomplete; tap the map again."))
        if problem == intake.MISSING and "latitude" not in self.errors:
            self.gps_offer = self.photo_gps()
            if self.gps_offer:
                raise ValidationError(
                    _("Your photo carries the place where it was taken. Use that location, tap the map, "
                      "or type an address."), code="gps_offer")
            raise ValidationError(
                _("Give the location: tap the map, use your location, or type an address."), code="location")
        if address:
            self._check_old_address(address, pinned=lat is not None)
        return data

    def _check_old_address(self, address: str, *, pinned: bool) -> None:
        """An old unit split between new wards, without a pin: ask for the pin once; sent again unchanged, the
        report goes to the dispatcher with the candidate wards."""
        place = place_from_address(address)
        self.address_hint = old_address_hint(place)
        if pinned or not place.needs_pin or self.data.get("address_checked") == address:
            return
        self.checked_address = address
        raise ValidationError(
            "%s %s" % (self.address_hint, _("Or send it again as it is: the coordination centre will route it.")),
            code="old_address")

    def location(self) -> Location:
        d = self.cleaned_data
        return Location(lat=d.get("latitude"), lon=d.get("longitude"), address=d.get("address") or "")


class SupportForm(ContactFields):
    """'Me too' on an existing report (contact optional)."""


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"), coerce=int, widget=forms.RadioSelect,
        choices=[(5, _("5 – very satisfied")), (4, _("4 – satisfied")), (3, _("3 – acceptable")),
                 (2, _("2 – dissatisfied")), (1, _("1 – very dissatisfied"))],
    )
    comment = forms.CharField(label=_("Comment (optional)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why is the problem not solved?"), min_length=5, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
