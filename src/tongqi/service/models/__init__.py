"""Service supervision (SPEC §8): callbacks and surveys, complaints, inspections, the action plan,
service windows. One module per subject; everything is importable from here."""

from .callbacks import Callback, ServiceSettings, Survey, SurveyResponse
from .complaints import Complaint, ComplaintEscalation, ComplaintEvent
from .inspections import Accountability, Finding, Inspection, Rectification
from .plan import ActionPlan, PlanEvidence, PlanOccurrence, PlanProgress, PlanTask
from .windows import ServiceWindow, WindowCriterion, WindowEvaluation, WindowScore

__all__ = [
    "Accountability",
    "ActionPlan",
    "Callback",
    "Complaint",
    "ComplaintEscalation",
    "ComplaintEvent",
    "Finding",
    "Inspection",
    "PlanEvidence",
    "PlanOccurrence",
    "PlanProgress",
    "PlanTask",
    "Rectification",
    "ServiceSettings",
    "ServiceWindow",
    "Survey",
    "SurveyResponse",
    "WindowCriterion",
    "WindowEvaluation",
    "WindowScore",
]
