"""Business actions on gas-source projects. Each is one transaction: permission and scope,
row lock and version, the change, the project event and the audit record."""

from .approvals import approval_remove, approval_save  # noqa: F401
from .errors import (  # noqa: F401
    Conflict,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    WorksError,
)
from .links import (  # noqa: F401
    SyncResult,
    pending_approvals,
    project_link_application,
    project_sync_clocks,
    project_unlink_application,
    sync_clocks,
)
from .projects import (  # noqa: F401
    TRANSITIONS,
    ProjectInput,
    allowed_transitions,
    missing_approvals,
    needs_permits,
    project_create,
    project_note,
    project_transition,
    project_update,
)
from .snapshots import can_snapshot, snapshot_close_month, snapshot_now  # noqa: F401
