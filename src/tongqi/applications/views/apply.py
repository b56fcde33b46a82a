"""The one application form (申请材料1项), shared by the customer portal and the counter.

Sections: enterprise (USCC first, licence-sharing prefill) / address / usage and appliances (a
list of rows with a live peak-load total) / documents / the personal-information notice. The
forms parse; the services validate and save; their field errors come back next to the fields.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.urls import reverse

from tongqi.core.validators import peak_load

from ..forms import (
    MAX_UPLOAD_MB,
    ApplianceFormSet,
    ApplicationForm,
    AttachmentsForm,
    CounterConsentForm,
    EnterpriseForm,
    PrivacyForm,
    appliance_inputs,
)
from ..models import Application, Enterprise
from ..services.submit import PRIVACY_NOTICE_VERSION
from .common import licence_enabled, licence_lookup, place_errors, service_phone

ENTERPRISE_FIELDS = (
    "uscc",
    "name",
    "legal_representative",
    "registered_address",
    "contact_name",
    "contact_mobile",
    "id_number",
    "licence_token",
)
APPLICATION_FIELDS = (
    "district",
    "street",
    "address_detail",
    "latitude",
    "longitude",
    "coord_system",
    "usage_type",
    "annual_consumption",
    "desired_gas_on_date",
    "note",
)


class ApplyForms:
    """The five parts of the application form, bound or unbound together."""

    def __init__(
        self,
        data=None,
        files=None,
        *,
        initial: dict | None = None,
        counter: bool = False,
    ):
        initial = initial or {}
        self.bound = data is not None
        self.enterprise = EnterpriseForm(data, initial=initial.get("enterprise"))
        self.application = ApplicationForm(data, initial=initial.get("application"))
        self.appliances = ApplianceFormSet(
            data,
            prefix="appliances",
            initial=initial.get("appliances") or [{"count": "1"}],
        )
        self.attachments = AttachmentsForm(data, files, prefix="att")
        consent = CounterConsentForm if counter else PrivacyForm
        self.privacy = consent(data, prefix="privacy")
        self.page_errors: list[str] = []
        self.appliance_errors: list[str] = []
        self._index: list[int] = []
        self.licence_enabled = licence_enabled()
        if self.licence_enabled:
            self.enterprise.fields["uscc"].widget.attrs.update(
                {
                    "hx-get": reverse("applications:licence_prefill"),
                    "hx-trigger": "change",
                    "hx-target": "#licence-fields",
                    "hx-swap": "outerHTML",
                    "hx-include": "#licence-fields",
                }
            )

    # validation -------------------------------------------------------------------------------
    def is_valid(self) -> bool:
        parts = [self.enterprise, self.application, self.appliances, self.attachments, self.privacy]
        return all([p.is_valid() for p in parts])

    def enterprise_input(self, licence_source: str = ""):
        return self.enterprise.to_input(licence_source)

    def application_input(self):
        rows, self._index = appliance_inputs(self.appliances)
        return self.application.to_input(rows, privacy=bool(self.privacy.cleaned_data["accept"]))

    def resolve(self, key: str):
        if key.startswith("enterprise."):
            name = key.split(".", 1)[1]
            return (self.enterprise, name if name in self.enterprise.fields else None)
        if key.startswith("appliances."):
            _p, i, name = key.split(".", 2)
            i = int(i)
            if i < len(self._index):
                return (self.appliances.forms[self._index[i]], name)
            return None
        if key == "appliances":
            return None
        if key == "location":
            return (self.application, "latitude")
        if key == "privacy_notice_accepted":
            return (self.privacy, "accept")
        if key == "file":
            return (self.attachments, "file_0")
        if key in self.application.fields:
            return (self.application, key)
        return None

    def add_service_errors(self, fields: dict) -> None:
        appliances = list(fields.get("appliances", []))
        rest = {k: v for k, v in fields.items() if k != "appliances"}
        self.appliance_errors.extend(appliances)
        self.page_errors.extend(place_errors(rest, self.resolve))

    # display ----------------------------------------------------------------------------------
    @property
    def peak_load(self) -> Decimal:
        """Σ rated flow × count over the rows that parse (shown beside the list, live in JS)."""
        pairs = []
        for f in self.appliances.forms:
            src = f.data if self.bound else f.initial
            prefix = f.prefix + "-" if self.bound else ""
            flow, count = src.get(prefix + "rated_flow"), src.get(prefix + "count") or 1
            try:
                flow_d, count_i = Decimal(str(flow)), int(count)
            except (InvalidOperation, TypeError, ValueError):
                continue
            if flow_d > 0 and count_i > 0:
                pairs.append((flow_d, count_i))
        try:
            return peak_load(pairs) if pairs else Decimal("0")
        except (ValueError, ArithmeticError):
            return Decimal("0")

    @property
    def has_errors(self) -> bool:
        return bool(
            self.page_errors
            or self.appliance_errors
            or (
                self.bound
                and any(
                    p.errors
                    for p in (self.enterprise, self.application, self.attachments, self.privacy)
                )
            )
        )

    def context(self) -> dict:
        self.enterprise.mark_required(True)  # shown as required: a submission needs them
        self.application.mark_required(True)
        return {
            "forms": self,
            "enterprise_form": self.enterprise,
            "application_form": self.application,
            "appliance_formset": self.appliances,
            "attachments_form": self.attachments,
            "privacy_form": self.privacy,
            "notice_version": PRIVACY_NOTICE_VERSION,
            "max_upload_mb": MAX_UPLOAD_MB,
            "hotline": service_phone(),
        }


def initial_from_post(data) -> dict:
    """Unbound initial values from a posted form (add a row / prefill without showing errors)."""
    ent = {f: data.get(f"enterprise-{f}", "") for f in ENTERPRISE_FIELDS}
    app = {f: data.get(f, "") for f in APPLICATION_FIELDS}
    try:
        total = min(int(data.get("appliances-TOTAL_FORMS", "0")), 50)
    except ValueError:
        total = 0
    rows = [
        {k: data.get(f"appliances-{i}-{k}", "") for k in ("name", "rated_flow", "count")}
        for i in range(total)
    ]
    return {"enterprise": ent, "application": app, "appliances": rows}


def with_extra_row(data) -> dict:
    initial = initial_from_post(data)
    if len(initial["appliances"]) < 50:
        initial["appliances"].append({"count": "1"})
    return initial


def with_prefill(data) -> tuple[dict, str]:
    """The posted form with the enterprise filled from licence sharing, and the lookup status."""
    initial = initial_from_post(data)
    found = licence_lookup(initial["enterprise"]["uscc"])
    if found["status"] == "found":
        initial["enterprise"].update(
            uscc=found["uscc"],
            name=found["name"],
            legal_representative=found["legal_representative"],
            registered_address=found["registered_address"],
            licence_token=found["token"],
        )
    return initial, found["status"]


def initial_for_new(user) -> dict:
    """A new application starts from the customer's enterprise, or from the account itself."""
    ent = Enterprise.objects.filter(members=user).order_by("-created_at").first()
    if ent is not None:
        enterprise = {f: getattr(ent, f) for f in ENTERPRISE_FIELDS if f != "licence_token"}
    else:
        enterprise = {"contact_name": user.display_name, "contact_mobile": user.mobile}
    return {"enterprise": enterprise, "application": {}, "appliances": [{"count": "1"}]}


def initial_for_draft(app: Application) -> dict:
    ent = app.enterprise
    enterprise = {f: getattr(ent, f) for f in ENTERPRISE_FIELDS if f != "licence_token"}
    application = {f: getattr(app, f) for f in APPLICATION_FIELDS if f != "district"}
    application["district"] = app.district.code if app.district_id else ""
    for f in ("latitude", "longitude"):
        application[f] = "" if application[f] is None else str(application[f])
    application["annual_consumption"] = (
        "" if not app.annual_consumption else f"{app.annual_consumption.normalize():f}"
    )
    rows = [
        {"name": a.name, "rated_flow": f"{a.rated_flow.normalize():f}", "count": str(a.count)}
        for a in app.appliances.all()
    ] or [{"count": "1"}]
    return {"enterprise": enterprise, "application": application, "appliances": rows}
