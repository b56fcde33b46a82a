"""Domain errors of gas-source works, with stable codes (the UI shows ``message``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class WorksError(Exception):
    code = "works_error"
    default_message = _("The action could not be carried out.")
    status = 400

    def __init__(self, message=None, *, fields: dict | None = None, code: str | None = None):
        self.message = message or self.default_message
        self.fields = fields or {}
        if code:
            self.code = code
        super().__init__(str(self.message))


class Forbidden(WorksError):
    code = "forbidden"
    default_message = _("You may not do this on this project.")
    status = 403


class Conflict(WorksError):
    code = "conflict"
    default_message = _(
        "The project was changed by someone else in the meantime. Reload it and try again."
    )
    status = 409


class IllegalTransition(WorksError):
    code = "illegal_transition"
    default_message = _("This action is not possible at the project's current stage.")
    status = 409


class InvalidInput(WorksError):
    code = "invalid"
    default_message = _("Please correct the errors below.")
    status = 422


class NotFound(WorksError):
    code = "not_found"
    default_message = _("Not found.")
    status = 404
