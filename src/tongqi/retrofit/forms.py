"""Forms of the retrofit pages: filters, edits and the inputs of each action."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongqi.accounts.choices import Role, UnitKind
from tongqi.accounts.models import District, OrgUnit, User
from tongqi.accounts.scoping import restrict_units, visible_unit_ids

from .choices import (
    Body,
    DeliveryMethod,
    HouseholdStatus,
    IssueStatus,
    MaterialKind,
    NoticeStatus,
    ProjectStatus,
    Stage,
)
from .services.households import BULK_ACTIONS, INITIAL_STATUSES
from .services.imports import MAX_BYTES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _all(label=None):
    return [("", label or _("All"))]


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# --- projects ---------------------------------------------------------------------------------


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.all(), required=False, empty_label=_("All")
    )
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=_all() + Stage.choices)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_all() + ProjectStatus.choices
    )


def units_for(user):
    """Units a project can belong to: subsidiaries and grids the user sees."""
    qs = OrgUnit.objects.filter(kind__in=[UnitKind.SUBSIDIARY, UnitKind.GRID]).order_by("path")
    ids = visible_unit_ids(user)
    return qs if ids is None else qs.filter(pk__in=ids)


class ProjectForm(VersionMixin, forms.Form):
    name = forms.CharField(label=_("Community"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=200)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.all())
    street_office = forms.CharField(
        label=_("Street office"), max_length=100, help_text=_("e.g. 后湖街道办事处")
    )
    community_committee = forms.CharField(
        label=_("Community committee"), max_length=100, help_text=_("e.g. 百步亭花园社区居委会")
    )
    org_unit = forms.ModelChoiceField(label=_("Organisation unit"), queryset=OrgUnit.objects.none())
    team_lead = forms.ModelChoiceField(
        label=_("Special-team lead"), queryset=User.objects.none(), required=False
    )
    households_total = forms.IntegerField(
        label=_("Households in the community"), min_value=1, max_value=100000
    )
    buildings = forms.IntegerField(
        label=_("Buildings"), min_value=1, max_value=1000, required=False
    )
    built_year = forms.IntegerField(
        label=_("Year built"), min_value=1900, max_value=2100, required=False
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = units_for(user)
        self.fields["org_unit"].queryset = units
        self.fields["team_lead"].queryset = restrict_units(
            User.objects.filter(role=Role.ENGINEER, is_active=True), user
        ).order_by("full_name")

    def clean_built_year(self):
        year = self.cleaned_data.get("built_year")
        if year and year > timezone.localdate().year:
            raise forms.ValidationError(_("The year cannot be in the future."))
        return year


class TransitionForm(VersionMixin, forms.Form):
    on_date = forms.DateField(label=_("Date"), widget=DateInput, required=False)
    reason = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class StageForm(VersionMixin, forms.Form):
    planned_start = forms.DateField(label=_("Planned start"), widget=DateInput, required=False)
    planned_end = forms.DateField(label=_("Planned end"), widget=DateInput, required=False)
    responsible_body = forms.ChoiceField(label=_("Responsible body"), choices=Body.choices)
    responsible_name = forms.CharField(
        label=_("Responsible organisation"), max_length=100, required=False
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The planned end cannot be before the planned start."))
        return data


_PHONE = re.compile(r"^[0-9+\-() ]{7,20}$")


class ContactForm(forms.Form):
    body = forms.ChoiceField(label=_("Body"), choices=Body.choices)
    organisation = forms.CharField(label=_("Organisation"), max_length=100, required=False)
    name = forms.CharField(label=_("Name"), max_length=50)
    post = forms.CharField(label=_("Post"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20)

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not _PHONE.match(phone):
            raise forms.ValidationError(
                _("Enter a phone number: digits, with an area code for a landline.")
            )
        return phone


# --- households -------------------------------------------------------------------------------


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    building = forms.ChoiceField(label=_("Building"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, buildings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = _all() + [(b, b) for b in buildings]
        self.fields["status"].choices = (
            _all() + [("signed", _("Signed up (all)"))] + HouseholdStatus.choices
        )


class HouseholdForm(VersionMixin, forms.Form):
    building = forms.CharField(label=_("Building"), max_length=20, help_text=_("e.g. 3 or 3栋"))
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    room = forms.CharField(label=_("Room"), max_length=20)
    contact_name = forms.CharField(label=_("Contact"), max_length=50)
    phone = forms.CharField(
        label=_("Contact phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Sign-up"),
        choices=[(s.value, s.label) for s in INITIAL_STATUSES],
        initial=HouseholdStatus.PENDING,
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["status"]


class HouseholdActionForm(VersionMixin, forms.Form):
    on_date = forms.DateField(label=_("Date"), widget=DateInput, required=False)
    reason = forms.CharField(label=_("Note"), max_length=500, required=False)


class IdListField(forms.Field):
    """The ticked rows of a list: a list of ids (which exist is the service's business)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        try:
            return [int(v) for v in value]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Select at least one household.")) from None


class HouseholdBulkForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Step for the selected households"),
        choices=[(a.value, a.label) for a in BULK_ACTIONS],
    )
    on_date = forms.DateField(label=_("Date"), widget=DateInput, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    ids = IdListField(error_messages={"required": _("Select at least one household.")})


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_(
            "Use the template. Every line is checked first; one bad line and nothing is imported."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than {mb} MB.").format(mb=MAX_BYTES // (1024 * 1024))
            )
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an .xlsx file (Excel 2007 or later)."))
        return f


# --- issues -----------------------------------------------------------------------------------


class IssueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    body = forms.ChoiceField(
        label=_("Responsible body"), required=False, choices=_all() + Body.choices
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_all() + IssueStatus.choices
    )
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=_all() + Stage.choices)
    overdue = forms.TypedChoiceField(
        label=_("Due"),
        required=False,
        coerce=lambda v: v == "1",
        empty_value=False,
        choices=[("", _("All")), ("1", _("Overdue only"))],
    )


class IssueForm(VersionMixin, forms.Form):
    title = forms.CharField(label=_("Problem"), max_length=200)
    description = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    responsible_body = forms.ChoiceField(label=_("Responsible body"), choices=Body.choices)
    responsible_name = forms.CharField(
        label=_("Responsible organisation"), max_length=100, required=False
    )
    due_date = forms.DateField(label=_("To be solved by"), widget=DateInput, required=False)
    blocking = forms.BooleanField(
        label=_("Blocks the stage"),
        required=False,
        help_text=_("The stage cannot be completed while this issue is open."),
    )


class ResolveForm(VersionMixin, forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ReasonForm(VersionMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500
    )


# --- notices and materials --------------------------------------------------------------------


class NoticeFilterForm(forms.Form):
    building = forms.ChoiceField(label=_("Building"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_all() + NoticeStatus.choices
    )

    def __init__(self, *args, buildings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = _all(_("All buildings")) + [(b, b) for b in buildings]


class DeliveryForm(VersionMixin, forms.Form):
    delivered_at = forms.DateTimeField(label=_("Delivered at"), widget=DateTimeInput)
    method = forms.ChoiceField(label=_("Delivery method"), choices=DeliveryMethod.choices)
    recipient = forms.CharField(label=_("Received by"), max_length=50, required=False)
    receipt_signed = forms.BooleanField(label=_("Signed receipt returned"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MaterialKind.choices)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG or PNG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class SummaryFilterForm(forms.Form):
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.all(), required=False, empty_label=_("All")
    )
    org_unit = forms.ModelChoiceField(
        label=_("Organisation unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    open_only = forms.TypedChoiceField(
        label=_("Projects"),
        required=False,
        coerce=lambda v: v == "1",
        empty_value=False,
        choices=[("", _("All")), ("1", _("Projects in progress only"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units_for(user)
