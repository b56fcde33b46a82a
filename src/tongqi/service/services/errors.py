"""Domain errors of service supervision, with stable codes (the API returns ``code``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    code = "service_error"
    default_message = _("The action could not be carried out.")
    status = 400

    def __init__(self, message=None, *, fields: dict | None = None, code: str | None = None):
        self.message = message or self.default_message
        self.fields = fields or {}
        if code:
            self.code = code
        super().__init__(str(self.message))


class Forbidden(ServiceError):
    code = "forbidden"
    default_message = _("You may not do this.")
    status = 403


class Conflict(ServiceError):
    code = "conflict"
    default_message = _(
        "The record was changed by someone else in the meantime. Reload it and try again."
    )
    status = 409


class IllegalTransition(ServiceError):
    code = "illegal_transition"
    default_message = _("This action is not possible at the record's current status.")
    status = 409


class InvalidInput(ServiceError):
    code = "invalid"
    default_message = _("Please correct the errors below.")
    status = 422


class SurveyClosed(ServiceError):
    """The survey link was answered already or has expired."""

    code = "survey_closed"
    default_message = _("This survey can no longer be answered.")
    status = 409
