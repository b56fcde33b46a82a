"""Forms of the portal, the counter and the workbench.

Forms only parse what the browser sends; the business rules (USCC check character, mobile
numbers, flows, required-at-submit, commitments…) live in the services, whose ``InvalidInput``
errors ``attach_errors`` puts next to the right field. So every front door (portal, counter,
government API) validates the same way.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongqi.accounts.models import District
from tongqi.sla.choices import PauseCode

from . import validation
from .choices import AttachmentKind, Category, CoordSystem, UsageType, VisitKind
from .services.submit import ApplianceInput, ApplicationInput, EnterpriseInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}
BLANK = [("", "—")]


def _choices(choices) -> list:
    return BLANK + list(choices)


# --- the one application form (portal and counter) ---------------------------------------------


class LenientForm(forms.Form):
    """Parses without refusing empty required fields: the service reports every missing field
    with all the other errors in one pass. The fields still show as required."""

    REQUIRED: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mark_required(False)

    def mark_required(self, required: bool) -> None:
        for name in self.REQUIRED:
            self.fields[name].required = required


class EnterpriseForm(LenientForm):
    """企业信息. The USCC comes first: licence sharing can fill in the rest."""

    prefix = "enterprise"
    REQUIRED = ("uscc", "name", "legal_representative", "contact_name", "contact_mobile")

    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        help_text=_(
            "18 characters on the business licence. When the licence-sharing service answers, "
            "the enterprise name, legal representative and registered address are filled in."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    name = forms.CharField(label=_("Enterprise name"), max_length=200)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=60)
    registered_address = forms.CharField(
        label=_("Registered address"), max_length=300, required=False
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=60)
    contact_mobile = forms.CharField(
        label=_("Contact mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    id_number = forms.CharField(
        label=_("Resident ID number of the legal representative"),
        max_length=30,
        required=False,
        help_text=_(
            "Optional. Sensitive personal information: used only to confirm the legal "
            "representative, shown masked to staff."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    licence_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def to_input(self, licence_source: str = "") -> EnterpriseInput:
        d = self.cleaned_data
        return EnterpriseInput(
            name=d.get("name", ""),
            uscc=d.get("uscc", "").strip().upper(),
            legal_representative=d.get("legal_representative", ""),
            contact_name=d.get("contact_name", ""),
            contact_mobile=d.get("contact_mobile", "").strip(),
            id_number=d.get("id_number", "").strip().upper(),
            registered_address=d.get("registered_address", ""),
            licence_source=licence_source,
        )


class ApplicationForm(LenientForm):
    """用气地址 and 用气需求. What a submission needs is checked by the service."""

    REQUIRED = ("district", "street", "address_detail", "usage_type", "annual_consumption")

    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.order_by("code"),
        to_field_name="code",
        empty_label="—",
    )
    street = forms.CharField(
        label=_("Street (街道)"),
        max_length=60,
        help_text=_("The sub-district (街道) of the address, e.g. 关东街道."),
    )
    address_detail = forms.CharField(
        label=_("Detailed address"),
        max_length=200,
        help_text=_("Road, number, building and unit, as on the property or lease document."),
    )
    latitude = forms.CharField(
        label=_("Latitude"), required=False, max_length=20, widget=forms.TextInput(attrs=DECIMAL)
    )
    longitude = forms.CharField(
        label=_("Longitude"), required=False, max_length=20, widget=forms.TextInput(attrs=DECIMAL)
    )
    coord_system = forms.ChoiceField(
        label=_("Coordinate system"), choices=_choices(CoordSystem.choices), required=False
    )
    usage_type = forms.ChoiceField(label=_("Usage"), choices=_choices(UsageType.choices))
    annual_consumption = forms.CharField(
        label=_("Estimated annual consumption (m³)"),
        max_length=20,
        widget=forms.TextInput(attrs=DECIMAL),
    )
    desired_gas_on_date = forms.DateField(
        label=_("Desired gas-on date"), required=False, widget=DATE
    )
    note = forms.CharField(
        label=_("Remarks"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def to_input(self, appliances: list[ApplianceInput], privacy: bool) -> ApplicationInput:
        d = self.cleaned_data
        return ApplicationInput(
            district_code=d["district"].code if d.get("district") else "",
            street=d.get("street", ""),
            address_detail=d.get("address_detail", ""),
            usage_type=d.get("usage_type", ""),
            annual_consumption=(d.get("annual_consumption") or "").strip(),
            appliances=appliances,
            desired_gas_on_date=d.get("desired_gas_on_date"),
            latitude=(d.get("latitude") or "").strip() or None,
            longitude=(d.get("longitude") or "").strip() or None,
            coord_system=d.get("coord_system", ""),
            note=d.get("note", ""),
            privacy_notice_accepted=privacy,
        )


class ApplianceForm(forms.Form):
    """One appliance row: name, rated flow (m³/h) × count."""

    name = forms.CharField(
        label=_("Appliance"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. wok burner")}),
    )
    rated_flow = forms.CharField(
        label=_("Rated flow (m³/h)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={**DECIMAL, "data-flow": ""}),
    )
    count = forms.CharField(
        label=_("Count"),
        max_length=5,
        required=False,
        initial="1",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "data-count": ""}),
    )

    def is_blank(self) -> bool:
        d = getattr(self, "cleaned_data", None) or {}
        return not (d.get("name") or "").strip() and not (d.get("rated_flow") or "").strip()


ApplianceFormSet = forms.formset_factory(
    ApplianceForm, extra=0, min_num=1, max_num=50, validate_max=True, absolute_max=60
)


def appliance_inputs(formset) -> tuple[list[ApplianceInput], list[int]]:
    """The rows that say something, and for each the index of its form (for error placement)."""
    out, index = [], []
    for i, f in enumerate(formset.forms):
        if f.is_blank():
            continue
        d = f.cleaned_data
        out.append(ApplianceInput(d.get("name", ""), d.get("rated_flow", ""), d.get("count") or 1))
        index.append(i)
    return out, index


class AttachmentsForm(forms.Form):
    """材料: up to three documents per save, type checked from the content."""

    MAX = 3

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(self.MAX):
            self.fields[f"kind_{i}"] = forms.ChoiceField(
                label=_("Type of document"),
                choices=AttachmentKind.choices,
                required=False,
                initial=[AttachmentKind.SITE_PLAN, AttachmentKind.PROPERTY_PROOF, "other"][i],
            )
            self.fields[f"file_{i}"] = forms.FileField(
                label=_("File (PDF, JPEG or PNG)"),
                required=False,
                widget=forms.ClearableFileInput(
                    attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
                ),
            )

    def clean(self):
        data = super().clean()
        for i in range(self.MAX):
            f = data.get(f"file_{i}")
            if f:
                check_upload(self, f"file_{i}", f)
        return data

    def rows(self):
        return [(self[f"kind_{i}"], self[f"file_{i}"]) for i in range(self.MAX)]

    def uploads(self) -> list[tuple[str, object]]:
        return [
            (self.cleaned_data[f"kind_{i}"] or AttachmentKind.OTHER, self.cleaned_data[f"file_{i}"])
            for i in range(self.MAX)
            if self.cleaned_data.get(f"file_{i}")
        ]


def check_upload(form: forms.Form, field: str, upload) -> None:
    """Sniff the type from the first bytes (not the name) before anything is stored."""
    head = upload.read(16)
    upload.seek(0)
    try:
        validation.clean_attachment(upload.name, head, upload.size)
    except ValidationError as exc:
        form.add_error(field, exc)


class PrivacyForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read the personal-information notice above and agree to it"),
        required=False,
    )


class CounterConsentForm(forms.Form):
    accept = forms.BooleanField(
        label=_(
            "The customer has read (or was read) the personal-information notice and agrees to it"
        ),
        required=False,
    )


# --- actions: every form carries the version the user saw --------------------------------------


class ActionForm(forms.Form):
    """Base of every action form: the hidden version makes a stale page a conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, application=None, **kwargs):
        self.application = application
        super().__init__(*args, **kwargs)
        if application is not None and not self.is_bound:
            self.initial.setdefault("version", application.version)


def reason_field(label, help_text="", required=True) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=500,
        required=required,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AcceptForm(ActionForm):
    category = forms.ChoiceField(
        label=_("Preliminary project category"),
        choices=Category.choices,
        help_text=_("Sets the time limit now (3, 8 or 16 working days); the survey may change it."),
    )
    missing_items = forms.CharField(
        label=_("Missing non-key items (容缺)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One item per line. Leave empty when nothing is missing. The application goes ahead; "
            "the customer commits to supply the items by the due date."
        ),
    )
    commitment_text = forms.CharField(
        label=_("Customer's commitment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    commitment_due = forms.DateField(label=_("Due date"), required=False, widget=DATE)

    def items(self) -> list[str]:
        raw = self.cleaned_data.get("missing_items") or ""
        return [line.strip() for line in raw.replace("、", "\n").splitlines() if line.strip()]


class RejectForm(ActionForm):
    reason = reason_field(_("Reason the customer sees"))


class CancelForm(ActionForm):
    reason = reason_field(_("Reason for cancelling"))


class ReopenForm(ActionForm):
    reason = reason_field(_("Why the application is reopened"))


class SurveyForm(ActionForm):
    surveyed_at = forms.DateTimeField(
        label=_("Surveyed at"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    category = forms.ChoiceField(label=_("Project category"), choices=Category.choices)
    pipe_length_m = forms.CharField(
        label=_("Pipe length inside the boundary (m)"),
        initial="0",
        max_length=12,
        widget=forms.TextInput(attrs=DECIMAL),
    )
    external_length_m = forms.CharField(
        label=_("External (gas-source) pipe length (m)"),
        initial="0",
        max_length=12,
        widget=forms.TextInput(attrs=DECIMAL),
        help_text=_("Needed for a project with external works."),
    )
    meter_rating = forms.CharField(
        label=_("Meter rating"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "G4 / G6 / G10 / G16 / G25"}),
    )
    gas_source_available = forms.BooleanField(
        label=_("Gas main at the boundary"), required=False, initial=True
    )
    safety_conditions_ok = forms.BooleanField(
        label=_("The site meets safe-use conditions"), required=False, initial=True
    )
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_surveyed_at(self):
        return not_in_future(self.cleaned_data["surveyed_at"])


def not_in_future(value):
    if value and value > timezone.now() + timedelta(minutes=10):
        raise ValidationError(_("This time is in the future."), code="future")
    return value


class PauseForm(ActionForm):
    reason_code = forms.ChoiceField(label=_("Pause reason"), choices=_choices(PauseCode.choices))
    reason = reason_field(
        _("Explanation for the customer"),
        help_text=_("The customer sees this reason next to the paused clock."),
    )


class ResumeForm(ActionForm):
    reason = reason_field(_("Note"), required=False)


class AcceptanceForm(ActionForm):
    """验收点火碰头送气: one visit, one record (every AcceptanceRecord field)."""

    at = forms.DateTimeField(label=_("Time"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    passed = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("1", _("Passed: connect, ignite, gas on")), ("0", _("Not passed: rectify"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    pressure_test_ok = forms.BooleanField(
        label=_("Pressure test passed"), required=False, initial=True
    )
    leak_test_ok = forms.BooleanField(label=_("Leak test passed"), required=False, initial=True)
    appliances_ok = forms.BooleanField(
        label=_("Appliances and ventilation meet the code"), required=False, initial=True
    )
    ignited = forms.BooleanField(label=_("Connected and ignited"), required=False)
    meter_number = forms.CharField(label=_("Meter number"), max_length=40, required=False)
    meter_reading = forms.DecimalField(
        label=_("Initial meter reading (m³)"),
        required=False,
        max_digits=12,
        decimal_places=3,
        min_value=0,
        widget=forms.TextInput(attrs=DECIMAL),
    )
    rectification_items = forms.CharField(
        label=_("Rectification required"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("When not passed: what the customer must put right (the customer sees it)."),
    )
    note = forms.CharField(
        label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_at(self):
        return not_in_future(self.cleaned_data["at"])


class AssignForm(ActionForm):
    manager = forms.ModelChoiceField(label=_("Account manager"), queryset=None, empty_label="—")
    reason = reason_field(_("Note"), required=False)

    def __init__(self, *args, managers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = managers
        self.fields["manager"].label_from_instance = lambda u: (
            f"{u.display_name} · {u.org_unit}" if u.org_unit_id else u.display_name
        )


class VisitForm(ActionForm):
    kind = forms.ChoiceField(label=_("Kind of visit"), choices=_choices(VisitKind.choices))
    at = forms.DateTimeField(label=_("Time"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean_at(self):
        return not_in_future(self.cleaned_data["at"])


class RequestAcceptanceForm(ActionForm):
    preferred_date = forms.DateField(
        label=_("Preferred date for the acceptance visit"),
        required=False,
        widget=DATE,
        help_text=_("We confirm the time with you by phone."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. who will be on site, or what was rectified."),
    )


class CommitmentFulfilForm(ActionForm):
    """Staff: the promised items arrived (on paper, by courier…)."""

    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class SupplyForm(ActionForm):
    """Customer: upload the promised documents; the upload closes the commitment."""

    kind = forms.ChoiceField(
        label=_("Type of document"), choices=AttachmentKind.choices, initial="other"
    )
    file = forms.FileField(
        label=_("File (PDF, JPEG or PNG)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean_file(self):
        f = self.cleaned_data["file"]
        head = f.read(16)
        f.seek(0)
        try:
            validation.clean_attachment(f.name, head, f.size)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return f


class PiiRevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the full data?"),
        max_length=300,
        min_length=4,
        help_text=_(
            "Recorded in the audit log with your name, e.g. “calling to arrange the survey”."
        ),
    )


# --- workbench filters -------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Enterprise, USCC, phone or number"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(label=_("Stage"), required=False)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=_choices(Category.choices)
    )
    grid = forms.ChoiceField(label=_("Grid"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    date_from = forms.DateField(label=_("Submitted from"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Submitted to"), required=False, widget=DATE)

    def __init__(self, *args, grids=(), **kwargs):
        from .choices import Channel, Status

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _choices(
            [(v, lbl) for v, lbl in Status.choices if v != Status.DRAFT]
        )
        self.fields["grid"].choices = _choices(grids)
        self.fields["channel"].choices = _choices(Channel.choices)
        for name in ("status", "category", "grid", "channel"):
            self.fields[name].widget.attrs["data-autosubmit-filter"] = ""

    def clean(self):
        data = super().clean()
        a, b = data.get("date_from"), data.get("date_to")
        if a and b and a > b:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class CounterFindForm(forms.Form):
    q = forms.CharField(
        label=_("USCC, mobile number or application number"),
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search", "autofocus": True}),
    )


MAX_UPLOAD_MB = settings.TONGQI_ATTACHMENT_MAX_BYTES // (1024 * 1024)
