from django import forms
from django.utils.translation import gettext_lazy as _


class OverrideForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label=_("The day is"),
        coerce=lambda v: v == "1",
        choices=[("1", _("a working day")), ("0", _("a day off"))],
    )
    note = forms.CharField(
        label=_("Source notice"),
        max_length=300,
        help_text=_("e.g. 国务院办公厅关于2027年部分节假日安排的通知"),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file (date,is_workday,note)"))


class ConfirmYearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2040)
    notice = forms.CharField(label=_("Source notice"), max_length=300)
