"""Writes of the retrofit area, split by subject (HackSoft's ``services/`` package)."""

from .households import (  # noqa: F401
    BULK_ACTIONS,
    HOUSEHOLD_ACTION_FUNCTIONS,
    HOUSEHOLD_TRANSITIONS,
    BulkRefused,
    allowed_household_actions,
    household_connect,
    household_create,
    household_decline,
    household_install,
    household_reveal_phone,
    household_sign_up,
    household_update,
    household_withdraw,
    households_bulk,
)
from .imports import households_import, parse_households, template_workbook  # noqa: F401
from .issues import issue_create, issue_reopen, issue_resolve, issue_update  # noqa: F401
from .materials import material_delete, material_upload  # noqa: F401
from .notices import (  # noqa: F401
    notice_deliver,
    notice_generate,
    notice_void,
    notices_generate_batch,
)
from .projects import (  # noqa: F401
    ACTION_FUNCTIONS,
    PROJECT_TRANSITIONS,
    allowed_actions,
    contact_add,
    contact_remove,
    project_advance,
    project_cancel,
    project_complete,
    project_create,
    project_resume,
    project_skip_stage,
    project_suspend,
    project_update,
    stage_update,
)
