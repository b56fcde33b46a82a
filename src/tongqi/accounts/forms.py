from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongqi.core.validators import ValidationFailure, validate_mainland_mobile

from .choices import Role
from .models import User


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("User name or mobile number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class RegisterForm(forms.Form):
    """Customer self-registration: the mobile number is the sign-in name."""

    full_name = forms.CharField(label=_("Your name"), max_length=60)
    mobile = forms.CharField(label=_("Mobile number"), max_length=20)
    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput)
    accept_notice = forms.BooleanField(
        label=_("I have read and accept the personal-information notice"),
        error_messages={"required": _("Please read and accept the personal-information notice.")},
    )

    def clean_mobile(self):
        try:
            mobile = validate_mainland_mobile(self.cleaned_data["mobile"])
        except ValidationFailure:
            raise ValidationError(
                _("Enter a mainland China mobile number of 11 digits, e.g. 13812345678."),
                code="mobile_format",
            ) from None
        if User.objects.filter(username=mobile).exists():
            raise ValidationError(
                _("This mobile number is already registered. Sign in instead."), code="taken"
            )
        return mobile

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            probe = User(
                username=data.get("mobile", ""),
                full_name=data.get("full_name", ""),
                role=Role.CUSTOMER,
            )
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class OtpForm(forms.Form):
    token = forms.RegexField(
        label=_("6-digit code from your authenticator app"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("Enter the 6 digits shown in your authenticator app.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
