"""Stages, statuses and kinds of the old-community retrofit (民现户专项), with their colours."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """The stages of a community's retrofit, in order (SPEC §9; 3.0 方案 五(九))."""

    SURVEY = "survey", _("Survey")
    COORDINATION = "coordination", _("Coordination")
    ROAD_PERMIT = "road_permit", _("Road-breaking permit")
    DEMOLITION = "demolition", _("Removal of illegal structures")
    CONSTRUCTION = "construction", _("Construction")
    ACCEPTANCE = "acceptance", _("Acceptance")
    GAS_ON = "gas_on", _("Gas-on")


STAGE_ORDER: tuple[str, ...] = tuple(Stage.values)

# A community without roads to open or illegal structures on the route skips these, with a reason.
SKIPPABLE_STAGES = frozenset({Stage.ROAD_PERMIT, Stage.DEMOLITION})


def stage_index(stage: str) -> int:
    return STAGE_ORDER.index(stage)


def next_stage(stage: str) -> str | None:
    i = stage_index(stage)
    return STAGE_ORDER[i + 1] if i + 1 < len(STAGE_ORDER) else None


class ProjectStatus(models.TextChoices):
    """Whether the project is moving. The stage says where it is."""

    ACTIVE = "active", _("In progress")
    SUSPENDED = "suspended", _("Suspended")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


PROJECT_STATUS_COLOURS = {
    ProjectStatus.ACTIVE: "blue",
    ProjectStatus.SUSPENDED: "grey",
    ProjectStatus.COMPLETED: "green",
    ProjectStatus.CANCELLED: "grey",
}


class ProjectAction(models.TextChoices):
    """What happened to a project (its event log)."""

    CREATE = "create", _("Created")
    ADVANCE = "advance", _("Stage completed")
    SKIP = "skip", _("Stage not needed")
    COMPLETE = "complete", _("Project completed")
    SUSPEND = "suspend", _("Suspended")
    RESUME = "resume", _("Resumed")
    CANCEL = "cancel", _("Cancelled")


class HouseholdStatus(models.TextChoices):
    """A household's sign-up (报装意愿) and, once signed up, its works."""

    PENDING = "pending", _("Not yet asked")
    WILLING = "willing", _("Signed up")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    INSTALLED = "installed", _("Installed")
    CONNECTED = "connected", _("Gas on")


HOUSEHOLD_STATUS_COLOURS = {
    HouseholdStatus.PENDING: "grey",
    HouseholdStatus.WILLING: "blue",
    HouseholdStatus.DECLINED: "grey",
    HouseholdStatus.WITHDRAWN: "amber",
    HouseholdStatus.INSTALLED: "blue",
    HouseholdStatus.CONNECTED: "green",
}

# A household that has signed up and not withdrawn: counted as 已报装 in every figure.
SIGNED_UP_STATUSES = frozenset(
    {HouseholdStatus.WILLING, HouseholdStatus.INSTALLED, HouseholdStatus.CONNECTED}
)


class HouseholdAction(models.TextChoices):
    CREATE = "create", _("Registered")
    IMPORT = "import", _("Imported")
    SIGN_UP = "sign_up", _("Signed up")
    DECLINE = "decline", _("Declined")
    WITHDRAW = "withdraw", _("Withdrew")
    INSTALL = "install", _("In-home installation done")
    CONNECT = "connect", _("Gas on")


class Body(models.TextChoices):
    """Who is responsible for a stage or an issue (the 专班 works with outside bodies)."""

    GAS_COMPANY = "gas_company", _("Gas company (special team)")
    STREET_OFFICE = "street_office", _("Street office")
    COMMUNITY = "community", _("Community committee")
    PROPERTY = "property", _("Property management")
    RESIDENTS = "residents", _("Residents")
    CONTRACTOR = "contractor", _("Construction contractor")
    CITY_MANAGEMENT = "city_management", _("Urban management / law enforcement")
    OTHER_GOV = "other_gov", _("Other government department")
    OTHER = "other", _("Other")


class IssueStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


ISSUE_STATUS_COLOURS = {IssueStatus.OPEN: "amber", IssueStatus.RESOLVED: "green"}


class DeliveryMethod(models.TextChoices):
    """How a notice of rights and duties reached the household."""

    IN_PERSON = "in_person", _("In person")
    POSTED = "posted", _("Posted (mail or door)")
    COMMUNITY = "community", _("Via the community committee")


class NoticeStatus(models.TextChoices):
    GENERATED = "generated", _("Generated")
    DELIVERED = "delivered", _("Delivered")
    VOID = "void", _("Void")


NOTICE_STATUS_COLOURS = {
    NoticeStatus.GENERATED: "amber",
    NoticeStatus.DELIVERED: "green",
    NoticeStatus.VOID: "grey",
}


class MaterialKind(models.TextChoices):
    """Publicity materials (宣传资料) and records kept with a project."""

    LEAFLET = "leaflet", _("Leaflet")
    POSTER = "poster", _("Notice board / poster")
    NOTICE_SAMPLE = "notice_sample", _("Notice sample")
    MEETING = "meeting", _("Meeting minutes")
    PHOTO = "photo", _("Site photo")
    OTHER = "other", _("Other")
