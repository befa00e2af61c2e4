"""The report form's channel choice: offered only when SMS or Zalo is configured (email is always there)."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import ChannelName
from .services import available_channels, vn_mobile_e164


class ChannelChoiceMixin:
    """Adds `notify_by` (and `zalo_user_id`) to a form with `phone` and `email` fields; `channel_choice()` gives
    (channel, address) for services.save_choice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = available_channels()
        if len(choices) < 2:
            return
        self.fields["notify_by"] = forms.ChoiceField(
            label=_("Send me updates by"), choices=choices, initial=ChannelName.EMAIL, required=False,
            widget=forms.RadioSelect)
        if ChannelName.ZALO in dict(choices):
            self.fields["zalo_user_id"] = forms.RegexField(
                label=_("Zalo user id"), regex=r"^[0-9]{6,25}$", required=False,
                help_text=_("The id our Zalo Official Account gave you when you followed it."),
                error_messages={"invalid": _("A Zalo user id has digits only.")})

    def clean(self):
        data = super().clean()
        channel = data.get("notify_by") or ChannelName.EMAIL
        if channel == ChannelName.SMS:
            if not vn_mobile_e164(data.get("phone", "")):
                self.add_error("phone", ValidationError(
                    _("For SMS updates give a Vietnamese mobile number, e.g. 0912 345 678."), code="sms_phone"))
        elif channel == ChannelName.ZALO and not data.get("zalo_user_id") and "zalo_user_id" not in self.errors:
            self.add_error("zalo_user_id", ValidationError(_("Give your Zalo user id for Zalo updates."),
                                                           code="zalo_id"))
        return data

    def channel_choice(self) -> tuple[str, str]:
        data = self.cleaned_data
        channel = data.get("notify_by") or ChannelName.EMAIL
        if channel == ChannelName.SMS:
            return channel, vn_mobile_e164(data.get("phone", "")) or ""
        if channel == ChannelName.ZALO:
            return channel, data.get("zalo_user_id", "")
        return ChannelName.EMAIL, data.get("email", "")
