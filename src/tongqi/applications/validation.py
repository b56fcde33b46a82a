"""Field validation for application data: the pure validators of ``tongqi.core.validators``
with translated, field-level messages. Used by forms, services and the API alike."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongqi.core import validators as core

MESSAGES = {
    "uscc_format": _(
        "A unified social credit code has 18 characters: digits and capital "
        "letters except I, O, S, V and Z."
    ),
    "uscc_checksum": _(
        "The check character (the last one) of this unified social credit code "
        "does not match. Please check the code for a typing error."
    ),
    "uscc_authority": _(
        "The first two characters are not a registration authority and "
        "category defined by GB 32100-2015."
    ),
    "uscc_region": _("Characters 3–8 are not an administrative division code."),
    "uscc_body_checksum": _("Characters 9–17 are not a valid organisation code."),
    "mobile_format": _("Enter a mainland China mobile number of 11 digits, e.g. 13812345678."),
    "id_format": _("A resident ID number has 17 digits followed by a digit or X."),
    "id_checksum": _(
        "The check digit (the last one) of this resident ID number does not "
        "match. Please check the number for a typing error."
    ),
    "id_region": _("The resident ID number does not start with a province code."),
    "id_birthdate": _("The birth date in the resident ID number is not a real date."),
    "flow_invalid": _("Enter the rated flow as a number of m³/h."),
    "flow_range": _("The rated flow must be more than 0 and at most 5000 m³/h."),
    "flow_precision": _("The rated flow may have at most 3 decimal places."),
    "consumption_invalid": _("Enter the annual consumption as a number of m³."),
    "consumption_range": _("The annual consumption must be between 0 and 1,000,000,000 m³."),
    "consumption_precision": _("The annual consumption may have at most 3 decimal places."),
    "file_empty": _("The file is empty."),
    "file_too_large": _("The file is too large (at most {max_mb} MB)."),
    "file_type": _("Only PDF, JPEG and PNG files are accepted (checked from the content)."),
    "file_ext_mismatch": _("The file name's extension does not match its content."),
}


def message_for(exc: core.ValidationFailure) -> str:
    msg = MESSAGES.get(exc.code)
    if msg is None:
        return exc.message
    text = str(msg)
    if "{max_mb}" in text:
        return text.format(max_mb=settings.TONGQI_ATTACHMENT_MAX_BYTES // (1024 * 1024))
    return text


def _wrap(fn):
    def validator(value):
        try:
            return fn(value)
        except core.ValidationFailure as exc:
            raise ValidationError(message_for(exc), code=exc.code) from None

    validator.__name__ = fn.__name__
    return validator


clean_uscc = _wrap(core.validate_uscc)
clean_mobile = _wrap(core.validate_mainland_mobile)
clean_resident_id = _wrap(core.validate_resident_id)
clean_rated_flow = _wrap(core.validate_rated_flow)
clean_annual_consumption = _wrap(core.validate_annual_consumption)


def clean_desired_date(value: date | None) -> date | None:
    if value is not None and value < timezone.localdate():
        raise ValidationError(_("The desired gas-on date cannot be in the past."), code="date_past")
    return value


def clean_peak_load_total(total) -> None:
    if total <= 0:
        raise ValidationError(
            _("Add at least one gas appliance with its rated flow."), code="no_load"
        )
    if total > 20000:
        raise ValidationError(
            _(
                "A peak load over 20,000 m³/h is beyond a commercial connection; please check "
                "the flows (m³/h, not m³/day)."
            ),
            code="load_absurd",
        )


def clean_attachment(name: str, head: bytes, size: int) -> str:
    try:
        return core.validate_attachment(name, head, size, settings.TONGQI_ATTACHMENT_MAX_BYTES)
    except core.ValidationFailure as exc:
        raise ValidationError(message_for(exc), code=exc.code) from None
