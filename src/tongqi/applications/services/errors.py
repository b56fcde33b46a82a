"""Domain errors with stable codes (the API returns ``code``; the UI shows ``message``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    code = "application_error"
    default_message = _("The action could not be carried out.")
    status = 400

    def __init__(self, message=None, *, fields: dict | None = None, code: str | None = None):
        self.message = message or self.default_message
        self.fields = fields or {}
        if code:
            self.code = code
        super().__init__(str(self.message))


class IllegalTransition(ApplicationError):
    code = "illegal_transition"
    default_message = _("This action is not possible at the application's current stage.")
    status = 409


class Conflict(ApplicationError):
    code = "conflict"
    default_message = _(
        "The application was changed by someone else in the meantime. Reload it and try again."
    )
    status = 409


class Forbidden(ApplicationError):
    code = "forbidden"
    default_message = _("You may not do this on this application.")
    status = 403


class NotFound(ApplicationError):
    code = "not_found"
    default_message = _("Application not found.")
    status = 404


class InvalidInput(ApplicationError):
    code = "invalid"
    default_message = _("Please correct the errors below.")
    status = 422
