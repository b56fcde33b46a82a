"""Forms of the integration pages: API tokens and notification channels."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import TOKEN_DAYS_CHOICES


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=60,
        help_text=_("What the token is for, e.g. the program or script that uses it."),
    )
    days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        initial=90,
        choices=[(d, _("{n} days").format(n=d)) for d in TOKEN_DAYS_CHOICES],
    )


class PreferencesForm(forms.Form):
    sms = forms.BooleanField(label=_("SMS"), required=False)
    wechat = forms.BooleanField(label=_("WeChat template message"), required=False)
    email = forms.BooleanField(label=_("E-mail"), required=False)
