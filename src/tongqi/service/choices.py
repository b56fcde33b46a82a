"""Fixed vocabularies of service supervision (SPEC §8), with Chinese labels and status colours."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# --- callbacks and surveys (回访 / 满意度调查) ---------------------------------------------------


class CallbackKind(models.TextChoices):
    """Why a callback task exists: every gas-on, or the monthly sample (用户报装监管回访)."""

    AFTER_GAS_ON = "after_gas_on", _("After gas-on")
    MONTHLY_SAMPLE = "monthly_sample", _("Monthly sample")


class CallbackStatus(models.TextChoices):
    OPEN = "open", _("To call")
    DONE = "done", _("Called back")
    UNREACHABLE = "unreachable", _("Could not be reached")


CALLBACK_COLOUR = {
    CallbackStatus.OPEN: "blue",
    CallbackStatus.DONE: "green",
    CallbackStatus.UNREACHABLE: "grey",
}

# A callback is closed as unreachable after this many failed attempts.
CALLBACK_MAX_ATTEMPTS = 3


class ResponseChannel(models.TextChoices):
    """How a survey answer reached us."""

    LINK = "link", _("Online (survey link or QR code)")
    PHONE = "phone", _("By phone during the callback")


class Aspect(models.TextChoices):
    """The per-aspect scores of the survey; each is a column of ``SurveyResponse``."""

    SPEED = "speed", _("Speed of the whole process")
    ATTITUDE = "attitude", _("Attitude of the staff")
    PROFESSIONAL = "professional", _("Professional guidance")
    TRANSPARENCY = "transparency", _("Transparency of fees (zero fee outside the boundary)")
    CONVENIENCE = "convenience", _("Convenience (no trips to an office)")


SCORE_CHOICES = [
    (5, _("5 – very satisfied")),
    (4, _("4 – satisfied")),
    (3, _("3 – acceptable")),
    (2, _("2 – dissatisfied")),
    (1, _("1 – very dissatisfied")),
]


# --- complaints and requests (诉求 / 工单) -------------------------------------------------------


class Source(models.TextChoices):
    """Where a complaint or request came from (武天然气〔2021〕47号 六(三))."""

    HOTLINE_12345 = "12345", _("12345 mayor's hotline")
    HOTLINE_12319 = "12319", _("12319 urban management hotline")
    CHANGJIANG = "changjiang", _("Changjiang Net (长江网)")
    MESSAGE_BOARD = "message_board", _("City message board (城市留言板)")
    WECHAT = "wechat", _("WeChat official account")
    PHONE = "phone", _("Service phone (96577)")
    COUNTER = "counter", _("Service counter")
    PORTAL = "portal", _("Customer portal")
    CALLBACK = "callback", _("Found in a callback")


# Sources whose platform expects our answer back (an adapter per channel, through the outbox).
REPLY_SOURCES = frozenset(
    {
        Source.HOTLINE_12345,
        Source.HOTLINE_12319,
        Source.CHANGJIANG,
        Source.MESSAGE_BOARD,
        Source.WECHAT,
    }
)
# Sources registered by a government platform: the ticket number there is required.
GOV_SOURCES = frozenset(
    {Source.HOTLINE_12345, Source.HOTLINE_12319, Source.CHANGJIANG, Source.MESSAGE_BOARD}
)


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    REQUEST = "request", _("Request")
    ENQUIRY = "enquiry", _("Enquiry")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")


class Topic(models.TextChoices):
    INSTALLATION = "installation", _("Getting gas (installation)")
    FEES = "fees", _("Fees and charges")
    ATTITUDE = "attitude", _("Staff attitude")
    WORKS = "works", _("Construction works")
    SAFETY = "safety", _("Gas safety")
    SUPPLY = "supply", _("Gas supply and pressure")
    METER = "meter", _("Meter and billing")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    NEW = "new", _("Registered")
    ASSIGNED = "assigned", _("Assigned")
    INVESTIGATING = "investigating", _("Under investigation")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


OPEN_COMPLAINT_STATUSES = frozenset(
    {
        ComplaintStatus.NEW,
        ComplaintStatus.ASSIGNED,
        ComplaintStatus.INVESTIGATING,
        ComplaintStatus.ANSWERED,
    }
)

COMPLAINT_COLOUR = {
    ComplaintStatus.NEW: "blue",
    ComplaintStatus.ASSIGNED: "blue",
    ComplaintStatus.INVESTIGATING: "amber",
    ComplaintStatus.ANSWERED: "amber",
    ComplaintStatus.CLOSED: "green",
}


class Feedback(models.TextChoices):
    """The complainant's view of the answer, asked before closing (回访满意度)."""

    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    NOT_REACHED = "not_reached", _("Could not be reached")


class ReplyStatus(models.TextChoices):
    NONE = "", _("No reply channel")
    PENDING = "pending", _("Sending to the source platform")
    SENT = "sent", _("Sent to the source platform")
    FAILED = "failed", _("Sending failed")


# --- inspections (四级检查) ----------------------------------------------------------------------


class InspectionLevel(models.TextChoices):
    """集团级、公司级、部门级、班组级 (武天然气〔2021〕47号 六(三))."""

    GROUP = "group", _("Group level")
    COMPANY = "company", _("Company level")
    DEPARTMENT = "department", _("Department level")
    TEAM = "team", _("Team level")


class InspectionForm(models.TextChoices):
    VIDEO = "video", _("Video inspection")
    MYSTERY = "mystery", _("Third-party mystery visit")
    FOLLOW_UP = "follow_up", _("Follow-up callback")
    UNANNOUNCED = "unannounced", _("Unannounced visit (四不两直)")
    ROUTINE = "routine", _("Routine on-site inspection")


class InspectionStatus(models.TextChoices):
    OPEN = "open", _("Rectification under way")
    CLOSED = "closed", _("Closed")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    SERIOUS = "serious", _("Serious")


SEVERITY_COLOUR = {Severity.MINOR: "grey", Severity.MAJOR: "amber", Severity.SERIOUS: "red"}


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("To rectify")
    SUBMITTED = "submitted", _("Rectified, awaiting verification")
    VERIFIED = "verified", _("Verified")


RECTIFICATION_COLOUR = {
    RectificationStatus.OPEN: "blue",
    RectificationStatus.SUBMITTED: "amber",
    RectificationStatus.VERIFIED: "green",
}


class Measure(models.TextChoices):
    """Accountability measures (《市天然气公司优化营商环境和“双评议”服务管理办法》)."""

    EDUCATION = "education", _("Criticism and education")
    NOTICE = "notice", _("Circulated criticism")
    WRITTEN = "written", _("Written self-examination")
    PERFORMANCE = "performance", _("Performance deduction")
    FINE = "fine", _("Economic penalty")
    TRANSFER = "transfer", _("Reassignment")


# --- the action plan (行动计划) ------------------------------------------------------------------


class DeadlineKind(models.TextChoices):
    DATE = "date", _("By a date")
    MONTHLY = "monthly", _("Every month")
    GOVERNMENT = "government", _("As the government requires")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


TASK_COLOUR = {
    TaskStatus.NOT_STARTED: "grey",
    TaskStatus.IN_PROGRESS: "blue",
    TaskStatus.DONE: "green",
}


# --- service windows (示范窗口) ------------------------------------------------------------------


class WindowKind(models.TextChoices):
    HALL = "hall", _("Business hall")
    WINDOW = "window", _("Service window")
    SMART = "smart", _("Smart self-service store")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


COMPLAINT_EVENT_LABELS = {
    "register": _("Registered"),
    "classify": _("Classified"),
    "assign": _("Assigned"),
    "investigate": _("Investigation recorded"),
    "answer": _("Answered"),
    "close": _("Closed"),
    "reopen": _("Reopened"),
    "escalate": _("Escalated at the end of the day"),
    "reply_sent": _("Answer delivered to the source platform"),
    "reply_failed": _("Answer could not be delivered to the source platform"),
}
