"""Business actions of service supervision, one module per subject (HackSoft's ``services/``)."""

from .complaints import (  # noqa: F401
    ComplaintInput,
    complaint_answer,
    complaint_assign,
    complaint_classify,
    complaint_close,
    complaint_investigate,
    complaint_register,
    complaint_reopen,
    complaint_reveal_phone,
    complaints_end_of_day,
    due_date_for,
)
from .errors import (  # noqa: F401
    Conflict,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    ServiceError,
    SurveyClosed,
)
from .inspections import (  # noqa: F401
    accountability_add,
    finding_add,
    inspection_close,
    inspection_create,
    rectification_add,
    rectification_reminders,
    rectification_submit,
    rectification_verify,
)
from .plan import (  # noqa: F401
    plan_monthly_occurrences,
    plan_progress_add,
    plan_reminders,
    plan_request_add,
)
from .surveys import (  # noqa: F401
    callback_create_after_gas_on,
    callback_record,
    callbacks_sample_month,
    settings_update,
    survey_answer,
    survey_ensure,
    survey_resolve,
    survey_send_link,
)
from .windows import CriterionInput, criteria_save, evaluation_save, window_save  # noqa: F401
