"""Domain errors of the retrofit area: a stable ``code`` the tests assert, a translated message."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "conflict": _(
        "Someone else changed this record while you were working on it. "
        "Reload the page to see the latest state and try again."
    ),
    "illegal_transition": _("This action is not possible in the record's current state."),
    "reason_required": _("Please give a reason."),
    "date_in_future": _("The date cannot be in the future."),
    "date_before_start": _("The date cannot be before the stage started."),
    "no_signups": _(
        "No household has signed up yet: coordination cannot be completed before the first sign-up."
    ),
    "blocking_issues": _(
        "Open issues block this stage. Resolve them (or mark them as not blocking) first."
    ),
    "none_connected": _("No household has gas yet: the project cannot be completed."),
    "project_not_active": _("The project is not in progress (suspended, completed or cancelled)."),
    "stage_too_early": _("The project has not reached the stage this step needs."),
    "household_exists": _("This building, unit and room is already registered in the project."),
    "notice_exists": _("This household already has a valid notice. Void it to issue a new one."),
    "household_not_eligible": _(
        "Notices are issued only to households that have not declined or withdrawn."
    ),
    "nothing_to_generate": _("Every eligible household already has a notice."),
    "date_before_generation": _("The delivery date cannot be before the notice was generated."),
    "unit_out_of_scope": _("You cannot assign projects to that organisation unit."),
    "planned_dates": _("The planned end cannot be before the planned start."),
    "mobile_format": _("Enter an 11-digit mainland China mobile number, e.g. 13812345678."),
    "nothing_selected": _("Select at least one household."),
    "bulk_refused": _(
        "Nothing was changed: some of the selected households cannot take this step."
    ),
    "import_failed": _("The file has errors; nothing was imported."),
}


class RetrofitError(Exception):
    """A refused action. ``code`` is stable (tests, API); ``message`` is for people."""

    def __init__(self, code: str, message: str | None = None, *, field: str | None = None):
        self.code = code
        self.field = field
        self.message = str(message or MESSAGES.get(code, code))
        super().__init__(self.message)


class ConflictError(RetrofitError):
    """The record changed since the page was loaded (optimistic concurrency)."""

    def __init__(self):
        super().__init__("conflict")
