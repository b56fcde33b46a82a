"""Forms of the service pages. They parse input; the services validate the business rules and
their field errors come back onto these forms (``apply_errors``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongqi.accounts.choices import Role, UnitKind
from tongqi.accounts.models import OrgUnit, User
from tongqi.accounts.roles import Cap

from .choices import (
    SCORE_CHOICES,
    Aspect,
    CallbackKind,
    CallbackStatus,
    ComplaintKind,
    ComplaintStatus,
    Feedback,
    InspectionForm,
    InspectionLevel,
    Measure,
    RectificationStatus,
    Severity,
    Source,
    TaskStatus,
    Topic,
    WindowKind,
)
from .models import ServiceSettings, WindowCriterion

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def apply_errors(form: forms.Form, exc) -> None:
    """Put a service error's field messages on the form (others become non-field errors)."""
    fields = getattr(exc, "fields", {}) or {}
    if not fields:
        form.add_error(None, str(exc.message))
        return
    for name, messages in fields.items():
        target = name if name in form.fields else None
        for m in messages:
            form.add_error(target, m)


def _all(label):
    return [("", label)]


def staff_choices(qs=None):
    qs = qs if qs is not None else User.objects.filter(is_active=True)
    return (
        qs.exclude(role__in=[Role.CUSTOMER, Role.SYSADMIN, Role.AUDITOR])
        .select_related("org_unit")
        .order_by("org_unit__path", "full_name")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        unit = obj.org_unit.name if obj.org_unit_id else ""
        return f"{obj.display_name}（{obj.get_role_display()} · {unit}）"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        depth = max(obj.path.count("/") - 2, 0)
        return "　" * depth + obj.name


def visible_units(user):
    """The org units ``user`` is responsible for (for unit pickers)."""
    from tongqi.accounts.scoping import visible_unit_ids

    ids = visible_unit_ids(user)
    qs = OrgUnit.objects.all().order_by("path")
    return qs if ids is None else qs.filter(pk__in=ids)


# --- callbacks and surveys ---------------------------------------------------------------------


class CallbackFilterForm(forms.Form):
    q = forms.CharField(label=_("Application number or enterprise"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_all(_("All")) + list(CallbackStatus.choices)
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_all(_("All")) + list(CallbackKind.choices)
    )


def score_field(label, required=True):
    return forms.TypedChoiceField(
        label=label,
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        required=required,
    )


class SurveyForm(forms.Form):
    """The short public survey: overall, five aspects, a comment."""

    overall = score_field(_("Overall, how satisfied are you with getting gas?"))
    speed = score_field(Aspect.SPEED.label)
    attitude = score_field(Aspect.ATTITUDE.label)
    professional = score_field(Aspect.PROFESSIONAL.label)
    transparency = score_field(Aspect.TRANSPARENCY.label)
    convenience = score_field(Aspect.CONVENIENCE.label)
    comment = forms.CharField(
        label=_("Anything you would like to tell us (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CallbackRecordForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reached = forms.TypedChoiceField(
        label=_("Did you reach the customer?"),
        choices=[("1", _("Yes, reached")), ("0", _("No answer / could not reach"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    summary = forms.CharField(
        label=_("What the customer said"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    issues = forms.CharField(
        label=_("Problems found"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    raise_complaint = forms.BooleanField(
        label=_("Register the problems as a complaint to be handled today"), required=False
    )
    overall = score_field(_("Overall satisfaction (asked by phone)"), required=False)
    speed = score_field(Aspect.SPEED.label, required=False)
    attitude = score_field(Aspect.ATTITUDE.label, required=False)
    professional = score_field(Aspect.PROFESSIONAL.label, required=False)
    transparency = score_field(Aspect.TRANSPARENCY.label, required=False)
    convenience = score_field(Aspect.CONVENIENCE.label, required=False)
    comment = forms.CharField(label=_("Customer's comment"), required=False, max_length=1000)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ServiceSettings
        fields = [
            "callback_sample_percent",
            "callback_due_workdays",
            "survey_valid_days",
            "plan_reminder_days",
            "rectification_reminder_days",
        ]


# --- complaints ----------------------------------------------------------------------------------


class ComplaintFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    view = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All")),
            ("today", _("Open, due today")),
            ("late", _("Open, past their day")),
            ("open", _("All open")),
            ("mine", _("Assigned to me")),
        ],
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=_all(_("All")) + list(Source.choices)
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_all(_("All")) + list(ComplaintStatus.choices)
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_all(_("All")) + list(ComplaintKind.choices)
    )
    date_from = forms.DateField(label=_("Arrived from"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Arrived to"), required=False, widget=DATE)


class ComplaintRegisterForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Source"), choices=[c for c in Source.choices if c[0] != Source.PORTAL]
    )
    external_id = forms.CharField(
        label=_("Ticket number on the source platform"),
        required=False,
        max_length=64,
        help_text=_("Required for 12345, 12319, 长江网 and the city message board."),
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=DATETIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Leave empty for now."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ComplaintKind.choices)
    topic = forms.ChoiceField(
        label=_("Topic"), required=False, choices=_all("—") + list(Topic.choices)
    )
    title = forms.CharField(label=_("Subject"), max_length=200)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 5}))
    complainant_name = forms.CharField(label=_("Complainant"), required=False, max_length=60)
    complainant_phone = forms.CharField(
        label=_("Complainant's phone"), required=False, max_length=20
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    application_number = forms.CharField(
        label=_("Application number (if about one)"), required=False, max_length=20
    )
    enterprise_uscc = forms.CharField(
        label=_("Enterprise's unified social credit code"), required=False, max_length=18
    )
    assignee = UserChoiceField(label=_("Assign to"), required=False, queryset=User.objects.none())
    answer = forms.CharField(
        label=_("Answered on the spot"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For an enquiry answered at once: the answer closes it with the feedback."),
    )
    feedback = forms.ChoiceField(
        label=_("Complainant's feedback"),
        required=False,
        choices=_all("—") + list(Feedback.choices),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_staff(user)

    def clean(self):
        """Run the service's own checks too, so every field error shows at the first submit."""
        from django.utils import timezone

        from .services.complaints import ComplaintInput, _validate

        d = self.cleaned_data
        data = ComplaintInput(
            source=d.get("source") or self.data.get("source", ""),
            title=d.get("title") or "-",
            content=d.get("content") or "-",
            complainant_name=d.get("complainant_name", ""),
            complainant_phone=d.get("complainant_phone", ""),
            address=d.get("address", ""),
            external_id=d.get("external_id", ""),
            kind=d.get("kind") or "complaint",
            topic=d.get("topic", ""),
            received_at=d.get("received_at"),
            application_number=d.get("application_number", ""),
            enterprise_uscc=d.get("enterprise_uscc", ""),
            answer=d.get("answer", ""),
            feedback=d.get("feedback", ""),
        )
        _clean, errors = _validate(data, timezone.now())
        for name, messages in errors.items():
            if name in self.fields and name not in self.errors:
                for m in messages:
                    self.add_error(name, m)
        return d


def assignable_staff(user):
    from tongqi.accounts.roles import ROLE_CAPS

    roles = [r for r, caps in ROLE_CAPS.items() if Cap.SERVICE_VIEW in caps]
    qs = User.objects.filter(is_active=True, role__in=roles, org_unit__isnull=False)
    from tongqi.accounts.scoping import visible_unit_ids

    ids = visible_unit_ids(user) if user is not None else None
    if ids is not None:
        qs = qs.filter(org_unit_id__in=ids)
    return staff_choices(qs)


class CustomerComplaintForm(forms.Form):
    application_number = forms.ChoiceField(label=_("About the application"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (ComplaintKind.COMPLAINT, ComplaintKind.COMPLAINT.label),
            (ComplaintKind.REQUEST, ComplaintKind.REQUEST.label),
            (ComplaintKind.ENQUIRY, ComplaintKind.ENQUIRY.label),
            (ComplaintKind.SUGGESTION, ComplaintKind.SUGGESTION.label),
        ],
    )
    title = forms.CharField(label=_("Subject"), max_length=200)
    content = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, applications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application_number"].choices = _all(_("— none —")) + [
            (a.number, f"{a.number} {a.enterprise.name}") for a in applications
        ]


class ClassifyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Kind"), choices=ComplaintKind.choices)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    application_number = forms.CharField(label=_("Application number"), required=False)
    enterprise_uscc = forms.CharField(
        label=_("Enterprise's unified social credit code"), required=False
    )


class AssignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    assignee = UserChoiceField(label=_("Assign to"), queryset=User.objects.none())
    note = forms.CharField(label=_("Instructions"), required=False, max_length=500)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_staff(user)


class InvestigateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    findings = forms.CharField(
        label=_("What the investigation found"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reply = forms.CharField(
        label=_("Answer to the complainant"), widget=forms.Textarea(attrs={"rows": 4})
    )


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    feedback = forms.ChoiceField(label=_("Complainant's feedback"), choices=Feedback.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ReopenForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why it is reopened"), max_length=1000)


COMPLAINT_ACTION_FORMS = {
    "classify": ClassifyForm,
    "assign": AssignForm,
    "investigate": InvestigateForm,
    "answer": AnswerForm,
    "close": CloseForm,
    "reopen": ReopenForm,
}


# --- inspections ---------------------------------------------------------------------------------


class InspectionFilterForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=_all(_("All")) + list(InspectionLevel.choices)
    )
    form = forms.ChoiceField(
        label=_("Form"), required=False, choices=_all(_("All")) + list(InspectionForm.choices)
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)


class InspectionCreateForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=InspectionLevel.choices)
    form = forms.ChoiceField(label=_("Form"), choices=InspectionForm.choices)
    title = forms.CharField(label=_("Subject"), max_length=200)
    target_unit = UnitChoiceField(label=_("Unit inspected"), queryset=OrgUnit.objects.none())
    window = forms.ModelChoiceField(
        label=_("Service window inspected"), required=False, queryset=None
    )
    inspected_on = forms.DateField(label=_("Inspected on"), widget=DATE)
    inspectors = forms.CharField(label=_("Inspectors"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import ServiceWindow

        self.fields["target_unit"].queryset = visible_units(user)
        self.fields["window"].queryset = ServiceWindow.objects.filter(
            org_unit__in=visible_units(user), active=True
        )


class FindingForm(forms.Form):
    description = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 2}))
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)


class RectificationForm(forms.Form):
    finding = forms.ModelChoiceField(label=_("Finding"), queryset=None)
    task = forms.CharField(label=_("What must be done"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = UserChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_date = forms.DateField(label=_("Due date"), widget=DATE)

    def __init__(self, *args, inspection=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = inspection.findings.all() if inspection else None
        self.fields["owner"].queryset = staff_choices(
            User.objects.filter(is_active=True, org_unit__in=visible_units(user))
        )


class AccountabilityForm(forms.Form):
    finding = forms.ModelChoiceField(label=_("Finding"), required=False, queryset=None)
    unit = UnitChoiceField(label=_("Unit held accountable"), queryset=OrgUnit.objects.none())
    person = UserChoiceField(
        label=_("Person held accountable"), required=False, queryset=User.objects.none()
    )
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices)
    basis = forms.CharField(
        label=_("Basis"),
        max_length=300,
        initial="《市天然气公司优化营商环境和“双评议”服务管理办法》",
    )
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)

    def __init__(self, *args, inspection=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = inspection.findings.all() if inspection else None
        self.fields["unit"].queryset = visible_units(user)
        self.fields["person"].queryset = staff_choices(
            User.objects.filter(is_active=True, org_unit__in=visible_units(user))
        )


class RectificationSubmitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}))


class RectificationVerifyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    passed = forms.TypedChoiceField(
        label=_("Verification"),
        choices=[("1", _("Rectified: verified")), ("0", _("Not rectified: send back"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Verification note"), required=False, max_length=2000)


class RectificationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=_all(_("All")) + list(RectificationStatus.choices) + [("overdue", _("Overdue"))],
    )


# --- plan ----------------------------------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(d, initial) for d in data]
        return [one(data, initial)] if data else []


class ProgressForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    occurrence = forms.ModelChoiceField(label=_("For the deadline"), required=False, queryset=None)
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    percent = forms.IntegerField(
        label=_("Progress (%)"), required=False, min_value=0, max_value=100
    )
    files = MultipleFileField(label=_("Evidence (PDF, JPEG, PNG)"), required=False)

    def __init__(self, *args, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurrence"].queryset = task.occurrences.all() if task else None


class RequestForm(forms.Form):
    label = forms.CharField(label=_("What the government asks for"), max_length=200)
    due_date = forms.DateField(label=_("Due date"), widget=DATE)


# --- windows -------------------------------------------------------------------------------------


class WindowForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=WindowKind.choices)
    org_unit = UnitChoiceField(label=_("Organisation unit"), queryset=OrgUnit.objects.none())
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    phone = forms.CharField(label=_("Service phone"), required=False, max_length=32)
    demonstration = forms.BooleanField(label=_("Demonstration window (示范窗口)"), required=False)
    active = forms.BooleanField(label=_("In service"), required=False, initial=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = visible_units(user).exclude(kind=UnitKind.GRID)


class CriterionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Criterion"), max_length=100)
    description = forms.CharField(label=_("What is assessed"), required=False, max_length=300)
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100)
    order = forms.IntegerField(label=_("Order"), initial=0)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=1, can_delete=False)


class EvaluationForm(forms.Form):
    period = forms.CharField(
        label=_("Period"), max_length=7, help_text=_("2026-11 for a month, 2026-Q4 for a quarter.")
    )
    note = forms.CharField(
        label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(WindowCriterion.objects.filter(active=True))
        for c in self.criteria:
            self.fields[f"score_{c.pk}"] = forms.DecimalField(
                label=f"{c.name}（{c.weight}%）",
                min_value=0,
                max_value=100,
                decimal_places=2,
                help_text=c.description,
            )

    def scores(self) -> dict[int, object]:
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}
