"""Retrofit pages, split by subject; ``urls.py`` imports them from here."""

from .households import (  # noqa: F401
    household_action,
    household_bulk,
    household_create,
    household_detail,
    household_edit,
    household_export,
    household_import,
    household_list,
    household_phone,
    import_template,
)
from .issues import (  # noqa: F401
    issue_action,
    issue_board,
    issue_board_export,
    issue_create,
    issue_detail,
    issue_edit,
    project_issues,
    project_issues_export,
)
from .notices import (  # noqa: F401
    material_delete,
    material_download,
    material_export,
    material_list,
    notice_deliver,
    notice_export,
    notice_generate,
    notice_list,
    notice_pdf,
    notice_void,
    notices_pdf,
)
from .projects import (  # noqa: F401
    contact_add,
    contact_delete,
    project_action,
    project_create,
    project_detail,
    project_edit,
    project_events,
    project_export,
    project_list,
    stage_edit,
    stages_export,
    summary,
    summary_export,
)
