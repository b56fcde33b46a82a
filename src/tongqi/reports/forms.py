"""The dashboard's filters (also those of the drill-down list and the evaluation export)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongqi.applications.choices import Category, Channel

from .selectors import FLAGS, Filters, grid_choices, subsidiary_choices

MONTH_FORMATS = ["%Y-%m"]


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value):
        if isinstance(value, date):
            return value.strftime("%Y-%m")
        return value


def default_months(today: date | None = None) -> tuple[date, date]:
    """The last twelve months, this one included."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    start = date(first.year - 1, first.month, 1)
    if start.month == 12:
        start = date(start.year + 1, 1, 1)
    else:
        start = date(start.year, start.month + 1, 1)
    return start, first


class IndicatorFilterForm(forms.Form):
    month_from = forms.DateField(
        label=_("From month"), required=False, input_formats=MONTH_FORMATS, widget=MonthInput
    )
    month_to = forms.DateField(
        label=_("To month"), required=False, input_formats=MONTH_FORMATS, widget=MonthInput
    )
    subsidiary = forms.TypedChoiceField(
        label=_("Subsidiary"), required=False, coerce=int, empty_value=None
    )
    grid = forms.TypedChoiceField(label=_("Grid"), required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All"))] + list(Channel.choices)
    )
    category = forms.ChoiceField(
        label=_("Project category"),
        required=False,
        choices=[("", _("All"))] + list(Category.choices) + [("-", _("Not set yet"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subsidiary"].choices = [("", _("All"))] + subsidiary_choices(user)
        self.fields["grid"].choices = [("", _("All"))] + grid_choices(user)

    def clean(self):
        data = super().clean()
        a, b = data.get("month_from"), data.get("month_to")
        if a and b and a > b:
            self.add_error("month_to", _("The end month is before the start month."))
        return data

    def filters(self, *, defaults: bool = True) -> Filters:
        """The filters; the last twelve months when no month is given (dashboard)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        start, end = default_months() if defaults else (None, None)
        if data.get("month_from") or data.get("month_to"):
            start, end = data.get("month_from"), data.get("month_to")
        return Filters(
            month_from=start.replace(day=1) if start else None,
            month_to=end.replace(day=1) if end else None,
            subsidiary=data.get("subsidiary"),
            grid=data.get("grid"),
            channel=data.get("channel") or "",
            category=data.get("category") or "",
        )


class DrillForm(IndicatorFilterForm):
    """The drill-down: the dashboard's filters plus one month and the figure's condition."""

    month = forms.DateField(
        label=_("Month"), required=False, input_formats=MONTH_FORMATS, widget=MonthInput
    )
    flag = forms.ChoiceField(label=_("Figure"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flag"].choices = [("", _("All applications"))] + [
            (k, FLAG_LABELS[k]) for k in FLAGS
        ]

    def filters(self, *, defaults: bool = False) -> Filters:
        base = super().filters(defaults=defaults)
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        month = data.get("month")
        return Filters(
            month_from=base.month_from,
            month_to=base.month_to,
            subsidiary=base.subsidiary,
            grid=base.grid,
            channel=base.channel,
            category=base.category,
            month=month.replace(day=1) if month else None,
            flag=data.get("flag") or "",
        )


FLAG_LABELS = {
    "open": _("Open"),
    "done": _("Gas on"),
    "within": _("Gas on within the time limit"),
    "late": _("Gas on beyond the time limit"),
    "on_time": _("Time limit: on time"),
    "warned": _("Time limit: warned"),
    "overdue": _("Time limit: overdue"),
    "online": _("Handled online"),
    "offline": _("Handled at a counter"),
    "extra_steps": _("More than two customer-facing steps"),
    "extra_materials": _("More than one application material"),
    "visited": _("Customer came in person"),
    "cost": _("Customer paid outside the red line"),
    "rated": _("Satisfaction survey answered"),
    "commitments": _("Open commitments (容缺)"),
    "receivable": _("Receivable outstanding"),
}
