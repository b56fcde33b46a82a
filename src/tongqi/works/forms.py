"""Forms of the works pages. They parse input; the services decide what is allowed."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from tongqi.accounts.choices import Role
from tongqi.accounts.models import District, Grid, User
from tongqi.accounts.scoping import restrict_units

from .choices import ApprovalKind, PressureLevel, ProjectStatus, ReasonKind
from .geometry import coords_of, location_text
from .selectors import visible_projects, visible_subsidiaries

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


ALL = _("All")


def _all():
    return [("", ALL)]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class GridChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.unit.name}（{obj.district.name}）"


class EngineerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        unit = f"（{obj.org_unit.name}）" if obj.org_unit_id else ""
        return f"{obj.display_name}{unit}"


def engineers_for(user):
    qs = User.objects.filter(role=Role.ENGINEER, is_active=True).select_related("org_unit")
    return restrict_units(qs, user).order_by("org_unit__path", "full_name")


def grids_for(user):
    qs = Grid.objects.select_related("unit", "district")
    return restrict_units(qs, user, field="unit").order_by("unit__path")


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Project name"), max_length=120)
    org_unit = UnitChoiceField(label=_("Subsidiary"), queryset=None)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.all())
    grid = GridChoiceField(label=_("Grid"), queryset=None, required=False)
    location_desc = forms.CharField(
        label=_("Location"),
        max_length=200,
        help_text=_("Road and section, or the site, e.g. 光谷大道（高新大道—佛祖岭一路段）."),
    )
    location = forms.CharField(
        label=_("Route or site coordinates (WGS-84)"),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_(
            "One “longitude, latitude” line for a site, several lines for a pipeline's route "
            "(in order). WKT POINT or LINESTRING is accepted too."
        ),
    )
    reason_kind = forms.ChoiceField(label=_("Reason for the works"), choices=ReasonKind.choices)
    reason = forms.CharField(
        label=_("Reason in detail"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    pressure_level = forms.ChoiceField(
        label=_("Pressure level"), choices=PressureLevel.choices, initial=PressureLevel.MEDIUM
    )
    length_m = forms.DecimalField(
        label=_("Pipe length (m)"), min_value=0, max_digits=9, decimal_places=1, initial=0
    )
    forecast_load = forms.DecimalField(
        label=_("Forecast peak load (m³/h)"),
        min_value=0,
        max_digits=12,
        decimal_places=3,
        initial=0,
    )
    forecast_annual_volume = forms.DecimalField(
        label=_("Forecast annual volume (m³)"),
        min_value=0,
        max_digits=16,
        decimal_places=3,
        initial=0,
    )
    planned_start = forms.DateField(label=_("Planned start of works"), widget=DATE)
    expected_gas_on = forms.DateField(label=_("Expected gas-on"), widget=DATE)
    investment = forms.DecimalField(
        label=_("Investment (yuan)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_(
            "The utility's own investment (零费用: the customer pays nothing for it). Above "
            "300,000 yuan the project needs quality-supervision registration and a construction "
            "permit (武城管办〔2019〕15号)."
        ),
    )
    engineer = EngineerChoiceField(label=_("Engineer in charge"), queryset=None, required=False)
    approvals_needed = forms.MultipleChoiceField(
        label=_("Approvals needed"),
        choices=ApprovalKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, project=None, **kwargs):
        if project is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": project.name,
                "org_unit": project.org_unit_id,
                "district": project.district_id,
                "grid": project.grid_id,
                "location_desc": project.location_desc,
                "location": location_text(coords_of(project.geometry_wkt)),
                "reason_kind": project.reason_kind,
                "reason": project.reason,
                "pressure_level": project.pressure_level,
                "length_m": project.length_m,
                "forecast_load": project.forecast_load,
                "forecast_annual_volume": project.forecast_annual_volume,
                "planned_start": project.planned_start,
                "expected_gas_on": project.expected_gas_on,
                "investment": project.investment,
                "engineer": project.engineer_id,
                "version": project.version,
            }
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = visible_subsidiaries(user)
        self.fields["grid"].queryset = grids_for(user)
        self.fields["engineer"].queryset = engineers_for(user)
        if project is not None:
            del self.fields["approvals_needed"]
        elif not self.is_bound:
            self.initial.setdefault("engineer", user.pk if user.role == Role.ENGINEER else None)
            units = list(self.fields["org_unit"].queryset[:2])
            if len(units) == 1:
                self.initial.setdefault("org_unit", units[0].pk)


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_all() + list(ProjectStatus.choices)
    )
    unit = UnitChoiceField(
        label=_("Subsidiary"), queryset=None, required=False, empty_label=_("All")
    )
    reason_kind = forms.ChoiceField(
        label=_("Reason for the works"), required=False, choices=_all() + list(ReasonKind.choices)
    )
    late = forms.BooleanField(label=_("Late only"), required=False)
    mine = forms.BooleanField(label=_("Mine only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_subsidiaries(user)


class ApprovalForm(forms.Form):
    kind = forms.ChoiceField(label=_("Approval"), choices=ApprovalKind.choices)
    authority = forms.CharField(label=_("Approving authority"), max_length=100, required=False)
    applied_on = forms.DateField(label=_("Applied on"), required=False, widget=DATE)
    expected_on = forms.DateField(label=_("Decision expected by"), required=False, widget=DATE)
    granted_on = forms.DateField(label=_("Granted on"), required=False, widget=DATE)
    reference = forms.CharField(label=_("Permit number"), max_length=80, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TransitionForm(forms.Form):
    on = forms.DateField(label=_("Date"), required=False, widget=DATE)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Progress note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class LinkForm(forms.Form):
    application = forms.CharField(
        label=_("Application number"),
        max_length=20,
        help_text=_("An application with external works, e.g. its number from the workbench."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PanelLinkForm(forms.Form):
    """On the application page: choose the project that supplies this application."""

    project = forms.ModelChoiceField(label=_("Gas-source project"), queryset=None)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = candidates


class ReportFilterForm(forms.Form):
    source = forms.ChoiceField(label=_("Report"), required=False)
    date_from = forms.DateField(label=_("Period from"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Period to"), required=False, widget=DATE)
    unit = UnitChoiceField(
        label=_("Subsidiary"), queryset=None, required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_all() + list(ProjectStatus.choices)
    )

    def __init__(self, *args, user, months, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_subsidiaries(user)
        self.fields["source"].choices = [("", _("Live (as of now)"))] + [
            (m.strftime("%Y-%m"), _("Snapshot {month}").format(month=m.strftime("%Y-%m")))
            for m in months
        ]

    def clean(self):
        data = super().clean()
        a, b = data.get("date_from"), data.get("date_to")
        if a and b and b < a:
            self.add_error("date_to", _("The period cannot end before it starts."))
        return data


class ProjectRefField(forms.Field):
    """A project by its number, as a person types it (or by its id, as links carry it). Not a
    drop-down: a utility has tens of thousands of projects."""

    widget = forms.TextInput

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.queryset = None

    def to_python(self, value):
        value = str(value or "").strip()
        if not value:
            return None
        if len(value) > 20:
            found = None
        elif value.isascii() and value.isdigit():
            found = self.queryset.filter(pk=int(value)).first() if len(value) <= 12 else None
        else:
            found = self.queryset.filter(number__iexact=value).first()
        if found is None:
            raise forms.ValidationError(
                _("There is no project with this number that you can see."), code="invalid_choice"
            )
        return found

    def prepare_value(self, value):
        return getattr(value, "number", value)


class PlanningForm(forms.Form):
    MODES = [
        ("project", _("Around a project")),
        ("point", _("Around a point")),
        ("grid", _("In a grid")),
    ]
    mode = forms.ChoiceField(label=_("Look at"), choices=MODES, initial="project")
    project = ProjectRefField(
        label=_("Project number"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "QY2026-00012", "autocomplete": "off"}),
    )
    lng = forms.DecimalField(
        label=_("Longitude"), required=False, min_value=73, max_value=136, decimal_places=6
    )
    lat = forms.DecimalField(
        label=_("Latitude"), required=False, min_value=3, max_value=54, decimal_places=6
    )
    radius_km = forms.DecimalField(
        label=_("Radius (km)"),
        required=False,
        min_value=Decimal("0.1"),
        max_value=20,
        decimal_places=1,
        initial=Decimal("2"),
    )
    grid = GridChoiceField(label=_("Grid"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = (
            visible_projects(user).exclude(status=ProjectStatus.CANCELLED).order_by("number")
        )
        self.fields["project"].label_from_instance = lambda p: f"{p.number} {p.name}"
        self.fields["grid"].queryset = Grid.objects.select_related("unit", "district").order_by(
            "unit__path"
        )

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == "project" and not data.get("project"):
            self.add_error("project", _("Choose a project."))
        if mode == "point":
            if data.get("lng") is None:
                self.add_error("lng", _("Enter the longitude."))
            if data.get("lat") is None:
                self.add_error("lat", _("Enter the latitude."))
        if mode == "grid" and not data.get("grid"):
            self.add_error("grid", _("Choose a grid."))
        if data.get("radius_km") is None:
            data["radius_km"] = Decimal("2")
        return data
