"""Business actions on applications. One transition function (``transitions.transition``) is
the only way a stage changes; the functions here are the named actions built on it."""

from .actions import (  # noqa: F401
    application_accept,
    application_assign,
    application_cancel,
    application_confirm_quote,
    application_mark_quoted,
    application_pause,
    application_record_acceptance,
    application_reject,
    application_reopen,
    application_request_acceptance,
    application_resume,
    application_survey,
    commitment_fulfil,
    visit_record,
)
from .errors import (  # noqa: F401
    ApplicationError,
    Conflict,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
)
from .submit import (  # noqa: F401
    ApplianceInput,
    ApplicationInput,
    EnterpriseInput,
    application_save_draft,
    application_submit,
    attachment_add,
    enterprise_upsert,
)
