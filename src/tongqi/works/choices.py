"""Vocabularies of gas-source works (气源工程): project stages, reasons, approvals."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProjectStatus(models.TextChoices):
    """The life of a gas-source project, as an engineering department tracks it."""

    PLANNED = "planned", _("Planned")  # 立项 / 计划
    APPROVALS = "approvals", _("Approvals in progress")  # 报批中
    CONSTRUCTION = "construction", _("Under construction")  # 施工中
    GAS_AVAILABLE = "gas_available", _("Gas available")  # 已通气（具备供气条件）
    CLOSED = "closed", _("Completed and filed")  # 竣工归档
    CANCELLED = "cancelled", pgettext_lazy("project status", "Cancelled")  # 已取消


# Projects whose works are still ahead: these count as "late" after their expected gas-on date
# and their pending approvals may hold the linked applications' clocks.
ACTIVE_STATUSES = frozenset(
    {ProjectStatus.PLANNED, ProjectStatus.APPROVALS, ProjectStatus.CONSTRUCTION}
)
FINAL_STATUSES = frozenset({ProjectStatus.CLOSED, ProjectStatus.CANCELLED})

STATUS_COLOUR = {
    ProjectStatus.PLANNED: "blue",
    ProjectStatus.APPROVALS: "amber",
    ProjectStatus.CONSTRUCTION: "blue",
    ProjectStatus.GAS_AVAILABLE: "green",
    ProjectStatus.CLOSED: "green",
    ProjectStatus.CANCELLED: "grey",
}


class ReasonKind(models.TextChoices):
    """配套原因: why the utility builds this piece of network."""

    NEW_CUSTOMERS = "new_customers", _("Supply for customers' applications")  # 新增用户报装配套
    AREA_DEVELOPMENT = "area_development", _("New development area or industrial park")
    ROAD_WORKS = "road_works", _("Laid together with municipal road works")
    NETWORK = "network", _("Network reinforcement or looping")
    RELOCATION = "relocation", _("Relocation for municipal works")
    OTHER = "other", _("Other")


class PressureLevel(models.TextChoices):
    LOW = "low", _("Low pressure")
    MEDIUM = "medium", _("Medium pressure")
    SUB_HIGH = "sub_high", _("Sub-high pressure")


class ApprovalKind(models.TextChoices):
    """Administrative approvals a gas-source project may need (行政审批)."""

    ROAD_EXCAVATION = "road_excavation", _("Road excavation permit")  # 城市道路挖掘许可
    ROAD_OCCUPATION = "road_occupation", _("Road occupation permit")  # 占用城市道路许可
    PLANNING = "planning", _("Construction planning permit")  # 建设工程规划许可
    TRAFFIC = "traffic", _("Traffic police consent")  # 交通管理部门意见
    GREENING = "greening", _("Green space occupation permit")  # 临时占用绿地许可
    QUALITY_SUPERVISION = "quality_supervision", _("Construction quality supervision registration")
    CONSTRUCTION_PERMIT = "construction_permit", _("Construction permit")  # 施工许可


class ApprovalState(models.TextChoices):
    NOT_APPLIED = "not_applied", _("Not applied for yet")
    PENDING = "pending", _("Applied, awaiting the decision")
    GRANTED = "granted", _("Granted")


APPROVAL_STATE_COLOUR = {
    ApprovalState.NOT_APPLIED: "blue",
    ApprovalState.PENDING: "amber",
    ApprovalState.GRANTED: "green",
}

# 零审批 (zero approval): 武城管办〔2019〕15号 — customers' works and gas-source works with an
# investment of at most 300,000 yuan need neither construction-quality supervision registration
# nor a construction permit. Above it, both are required.
ZERO_APPROVAL_LIMIT = Decimal("300000.00")
ZERO_APPROVAL_DOCUMENT = "武城管办〔2019〕15号"
PERMITS_ABOVE_LIMIT = (ApprovalKind.QUALITY_SUPERVISION, ApprovalKind.CONSTRUCTION_PERMIT)

DEFAULT_AUTHORITY = {
    ApprovalKind.ROAD_EXCAVATION: "区城管执法局",
    ApprovalKind.ROAD_OCCUPATION: "区城管执法局",
    ApprovalKind.PLANNING: "市自然资源和规划局",
    ApprovalKind.TRAFFIC: "市公安局交通管理局",
    ApprovalKind.GREENING: "市园林和林业局",
    ApprovalKind.QUALITY_SUPERVISION: "市城管执法委（燃气工程质量监督站）",
    ApprovalKind.CONSTRUCTION_PERMIT: "市城管执法委",
}


class SnapshotTrigger(models.TextChoices):
    AUTO = "auto", _("Taken by the monthly job")
    MANUAL = "manual", _("Taken by hand")


# Map legend: application stages grouped the way the planning view draws them. Each group has a
# colour AND a shape, so the map never relies on colour alone.
STAGE_GROUPS = (
    ("waiting", _("Awaiting acceptance"), "#1677ff", "circle", ("submitted",)),
    ("accepted", _("Accepted, survey and plan"), "#08979c", "square", ("accepted", "surveyed")),
    ("works", _("Quote and works"), "#d46b08", "triangle", ("quoted", "confirmed")),
    (
        "acceptance",
        _("Acceptance and rectification"),
        "#722ed1",
        "diamond",
        ("acceptance_requested", "rectifying"),
    ),
)
STAGE_GROUP_OF = {status: g[0] for g in STAGE_GROUPS for status in g[4]}
