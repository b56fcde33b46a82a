"""Forms of the pricing pages. They parse and check shapes; the services check the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongqi.applications.choices import UsageType

from .choices import (
    ContractorRole,
    PaymentMethod,
    QuoteKind,
    QuoteStatus,
    ReceivableStatus,
    Section,
)
from .models import Contractor, Package, Policy, Qualification

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def money_field(label, *, required=True, help_text="", minimum=Decimal("0")):
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=11,
        decimal_places=2,
        min_value=minimum,
        max_value=Decimal("999999999.99"),
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def length_field(label, *, required=True, help_text=""):
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=8,
        decimal_places=1,
        min_value=Decimal("0"),
        max_value=Decimal("100000"),
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )


# --- marketing's configuration -----------------------------------------------------------------


class PackageForm(forms.ModelForm):
    usage_types = forms.MultipleChoiceField(
        label=_("Usage types"),
        required=False,
        choices=UsageType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none to offer the package for every usage type."),
    )

    class Meta:
        model = Package
        fields = [
            "code",
            "name",
            "meter_rating",
            "max_load",
            "included_length_m",
            "extra_unit_m",
            "max_length_m",
            "usage_types",
            "included_items",
            "description",
            "active",
            "sort_order",
        ]
        widgets = {
            "included_items": forms.Textarea(attrs={"rows": 4}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class PriceListForm(forms.Form):
    """A price list: its header, then a base price and a price per extra unit per package."""

    name = forms.CharField(label=_("Name"), max_length=100)
    effective_from = forms.DateField(label=_("Effective from"), widget=DATE)
    document = forms.CharField(label=_("Source document"), max_length=200, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, packages=(), initial_prices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.packages = list(packages)
        initial_prices = initial_prices or {}
        for p in self.packages:
            base, extra = initial_prices.get(p.pk, (None, None))
            self.fields[f"base_{p.pk}"] = money_field(
                _("{code}: base price (yuan)").format(code=p.code)
            )
            self.fields[f"extra_{p.pk}"] = money_field(
                _("{code}: price per extra unit of {unit} m (yuan)").format(
                    code=p.code, unit=format(p.extra_unit_m.normalize(), "f")
                )
            )
            if base is not None:
                self.initial.setdefault(f"base_{p.pk}", base)
                self.initial.setdefault(f"extra_{p.pk}", extra)

    def price_rows(self):
        return [(p, self[f"base_{p.pk}"], self[f"extra_{p.pk}"]) for p in self.packages]


class PolicyForm(forms.ModelForm):
    class Meta:
        model = Policy
        fields = [
            "effective_from",
            "approval_threshold",
            "approval_document",
            "payment_days",
            "gas_source_cost_per_m",
            "note",
        ]
        widgets = {"effective_from": DATE, "note": forms.Textarea(attrs={"rows": 2})}


class ContractorForm(forms.ModelForm):
    class Meta:
        model = Contractor
        fields = ["name", "uscc", "contact_name", "contact_phone", "is_utility", "active"]


class QualificationForm(forms.ModelForm):
    class Meta:
        model = Qualification
        fields = ["role", "name", "level", "certificate_number", "valid_until"]
        widgets = {"valid_until": DATE}


# --- quotes ------------------------------------------------------------------------------------


class QuoteForm(forms.Form):
    """The quote builder: the plan (a package or custom), the site's lengths, notes."""

    plan = forms.ChoiceField(label=_("Plan"), widget=forms.RadioSelect)
    pipe_length_m = length_field(
        _("In-red-line pipe length (m)"), help_text=_("From the survey; N is computed from it.")
    )
    external_length_m = length_field(
        _("Gas-source pipe length outside the red line (m)"),
        help_text=_("Built and paid by the utility: 0 for the customer."),
    )
    own_works_estimate = money_field(
        _("Customer's own works (yuan)"),
        required=False,
        help_text=_(
            "Only when the customer has works built by contractors of its choice: counts for "
            "the zero-approval threshold."
        ),
    )
    note = forms.CharField(
        label=_("Note to the customer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, packages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(f"package:{p.pk}", p.name) for p in packages] + [
            ("custom", _("Custom plan (itemised)"))
        ]

    def plan_parts(self) -> tuple[str, int | None]:
        plan = self.cleaned_data.get("plan") or "custom"
        if plan.startswith("package:"):
            return QuoteKind.PACKAGE, int(plan.split(":", 1)[1])
        return QuoteKind.CUSTOM, None


class ItemForm(forms.Form):
    section = forms.ChoiceField(label=_("Side"), choices=Section.choices, initial=Section.CUSTOMER)
    description = forms.CharField(label=_("Item"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=10)
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=12,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("1000000"))],
        widget=forms.NumberInput(attrs={"step": "0.001", "inputmode": "decimal"}),
    )
    unit_price = money_field(_("Unit price to the customer (yuan)"), required=False)
    unit_cost = money_field(_("Utility's unit cost (yuan)"), required=False)


class BaseItemFormSet(forms.BaseFormSet):
    def items(self):
        out = []
        for f in self.forms:
            if not f.has_changed() or (self.can_delete and f.cleaned_data.get("DELETE")):
                continue
            out.append(f.cleaned_data)
        return out


ItemFormSet = forms.formset_factory(
    ItemForm, formset=BaseItemFormSet, extra=1, can_delete=True, max_num=40, validate_max=True
)


class DrawingForm(forms.Form):
    title = forms.CharField(label=_("Drawing title"), max_length=100)
    file = forms.FileField(
        label=_("File (PDF, PNG or JPEG)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )


class ConfirmForm(forms.Form):
    agree = forms.BooleanField(
        label=_("I have read the drawings and the quote and confirm them."), required=True
    )


class ChangeRequestForm(forms.Form):
    comment = forms.CharField(
        label=_("What should change?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class QuoteFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + list(QuoteStatus.choices)
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All"))] + list(QuoteKind.choices)
    )
    package = forms.ChoiceField(label=_("Package"), required=False)
    approval = forms.ChoiceField(
        label=_("Zero approval"),
        required=False,
        choices=[
            ("", _("All")),
            ("exempt", _("No approvals needed")),
            ("needed", _("Approvals still needed")),
        ],
    )
    date_from = forms.DateField(label=_("Issued from"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Issued to"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["package"].choices = [("", _("All"))] + [
            (code, code) for code in Package.objects.values_list("code", flat=True)
        ]


# --- contractors -------------------------------------------------------------------------------


class ChoiceForm(forms.Form):
    """One role's choice: a listed unit, or another unit the customer names."""

    qualification = forms.ModelChoiceField(
        label=_("Unit from the list"),
        queryset=Qualification.objects.none(),
        required=False,
        empty_label=_("— choose a unit —"),
    )
    other = forms.BooleanField(label=_("Another unit, not in the list"), required=False)
    contractor_name = forms.CharField(label=_("Unit name"), max_length=200, required=False)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    qualification_name = forms.CharField(label=_("Qualification"), max_length=100, required=False)
    level = forms.CharField(label=_("Level"), max_length=20, required=False)
    certificate_number = forms.CharField(
        label=_("Certificate number"), max_length=60, required=False
    )
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)

    def __init__(self, *args, role: str, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.role = role
        field = self.fields["qualification"]
        field.queryset = Qualification.objects.filter(pk__in=[o.pk for o in options])
        today = timezone.localdate()
        field.label_from_instance = lambda q: (
            "{name} — {qual}（{level}）{cert}，{until}{flag}".format(
                name=q.contractor.name,
                qual=q.name,
                level=q.level,
                cert=q.certificate_number,
                until=_("valid until {date}").format(date=q.valid_until.isoformat()),
                flag="【" + str(_("expired")) + "】" if q.valid_until < today else "",
            )
        )
        # the choices come from the options already loaded (no query per option)
        field.choices = [("", field.empty_label)] + [
            (o.pk, field.label_from_instance(o)) for o in options
        ]

    def clean(self):
        data = super().clean()
        if data.get("other"):
            for name in ("contractor_name", "qualification_name", "level", "certificate_number"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, _("This field is required."))
            if not data.get("valid_until"):
                self.add_error("valid_until", _("This field is required."))
        elif not data.get("qualification"):
            self.add_error("qualification", _("Choose a unit from the list or name another one."))
        return data


ROLE_ORDER = [r.value for r in ContractorRole]


# --- receivables -------------------------------------------------------------------------------


class PaymentForm(forms.Form):
    amount = money_field(_("Amount (yuan)"), minimum=Decimal("0.01"))
    method = forms.ChoiceField(label=_("Method"), choices=[("", "—")] + list(PaymentMethod.choices))
    reference = forms.CharField(
        label=_("Transaction or receipt number"),
        max_length=60,
        required=False,
        help_text=_("Required except for cash."),
    )
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ReceivableFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + list(ReceivableStatus.choices),
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    due_from = forms.DateField(label=_("Due from"), required=False, widget=DATE)
    due_to = forms.DateField(label=_("Due to"), required=False, widget=DATE)
