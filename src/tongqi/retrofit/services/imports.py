"""Bulk import of households from an Excel sheet (the community committee's 摸底表).

The whole file is checked first — headers, required cells, phone numbers, sign-up values,
duplicates within the file and against the project — and every bad line is reported with its
line number (as Excel shows it). One bad line and nothing is imported; otherwise every line is
imported in one transaction. The template (``template_workbook``) has the same headers.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.core.validators import ValidationFailure, validate_mainland_mobile

from ..choices import HouseholdAction, HouseholdStatus, ProjectStatus
from ..errors import RetrofitError
from ..models import Household, HouseholdEvent, Project, household_label
from .common import clean_text, lock, normalise_place, require_manager

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

# Column header → field. Chinese headers are the template's; English ones are accepted too.
COLUMNS: dict[str, str] = {
    "楼栋": "building",
    "单元": "unit",
    "房号": "room",
    "联系人": "contact_name",
    "联系电话": "phone",
    "报装意愿": "intention",
    "备注": "note",
    "building": "building",
    "unit": "unit",
    "room": "room",
    "contact": "contact_name",
    "phone": "phone",
    "sign-up": "intention",
    "note": "note",
}
TEMPLATE_HEADERS = ["楼栋", "单元", "房号", "联系人", "联系电话", "报装意愿", "备注"]
REQUIRED = ("building", "room", "contact_name", "phone")
IGNORED_HEADERS = {"序号", "no.", "#"}
FIELD_HEADER = {
    "building": "楼栋",
    "unit": "单元",
    "room": "房号",
    "contact_name": "联系人",
    "phone": "联系电话",
    "intention": "报装意愿",
    "note": "备注",
}
MAX_LENGTHS = {"building": 20, "unit": 20, "room": 20, "contact_name": 50, "note": 200}

INTENTIONS: dict[str, str] = {
    "": HouseholdStatus.PENDING,
    "待定": HouseholdStatus.PENDING,
    "未定": HouseholdStatus.PENDING,
    "待征询": HouseholdStatus.PENDING,
    "同意": HouseholdStatus.WILLING,
    "是": HouseholdStatus.WILLING,
    "报装": HouseholdStatus.WILLING,
    "已报名": HouseholdStatus.WILLING,
    "不同意": HouseholdStatus.DECLINED,
    "否": HouseholdStatus.DECLINED,
    "不报装": HouseholdStatus.DECLINED,
    "pending": HouseholdStatus.PENDING,
    "yes": HouseholdStatus.WILLING,
    "no": HouseholdStatus.DECLINED,
}


@dataclass(frozen=True)
class LineError:
    line: int  # 1-based, as Excel numbers rows; 0 = the file as a whole
    column: str
    message: str


@dataclass(frozen=True)
class ParsedRow:
    line: int
    building: str
    unit: str
    room: str
    contact_name: str
    phone: str
    status: str
    note: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.building, self.unit, self.room)


@dataclass
class ImportResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell_text(value) -> str:
    """Excel gives numbers for 502 or 13812345678; a whole float must not become ``502.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return clean_text(value)


def parse_households(fileobj, *, existing: set[tuple[str, str, str]] | None = None) -> ImportResult:
    """Read and check every line; collect every problem. Writes nothing."""
    result = ImportResult()
    existing = existing or set()
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        result.errors.append(
            LineError(0, "", _("This is not a readable Excel (.xlsx) file. Use the template."))
        )
        return result
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        columns = _read_header(header, result)
        if result.errors:
            return result
        seen: dict[tuple[str, str, str], int] = {}
        for line, values in enumerate(rows, start=2):
            texts = [_cell_text(v) for v in values]
            if not any(texts):
                continue  # blank lines are allowed (sheets often end with some)
            if line - 1 > MAX_ROWS:
                result.errors.append(
                    LineError(
                        line,
                        "",
                        _("The file has more than {max} lines; split it.").format(max=MAX_ROWS),
                    )
                )
                break
            row = _check_line(line, texts, columns, result)
            if row is None:
                continue
            if row.key in seen:
                result.errors.append(
                    LineError(
                        line,
                        "房号",
                        _("{flat} appears twice in the file (first on line {first}).").format(
                            flat=household_label(*row.key), first=seen[row.key]
                        ),
                    )
                )
                continue
            seen[row.key] = line
            if row.key in existing:
                result.errors.append(
                    LineError(
                        line,
                        "房号",
                        _("{flat} is already registered in this project.").format(
                            flat=household_label(*row.key)
                        ),
                    )
                )
                continue
            result.rows.append(row)
    finally:
        wb.close()
    if not result.errors and not result.rows:
        result.errors.append(LineError(0, "", _("The file has no household lines.")))
    return result


def _read_header(header, result: ImportResult) -> dict[str, int]:
    if not header:
        result.errors.append(LineError(1, "", _("The first line must be the column headers.")))
        return {}
    columns: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = _cell_text(raw)
        if not name:
            continue
        key = COLUMNS.get(name) or COLUMNS.get(name.lower())
        if key is None:
            if name.lower() in IGNORED_HEADERS:
                continue
            result.errors.append(
                LineError(
                    1,
                    name,
                    _("Unknown column “{name}”. The columns are: {columns}.").format(
                        name=name, columns="、".join(TEMPLATE_HEADERS)
                    ),
                )
            )
            continue
        if key in columns:
            result.errors.append(
                LineError(1, name, _("Column “{name}” appears twice.").format(name=name))
            )
            continue
        columns[key] = index
    for key in REQUIRED:
        if key not in columns:
            result.errors.append(
                LineError(
                    1,
                    FIELD_HEADER[key],
                    _("Required column “{name}” is missing.").format(name=FIELD_HEADER[key]),
                )
            )
    return columns


def _check_line(line: int, texts: list[str], columns: dict[str, int], result: ImportResult):
    def get(key: str) -> str:
        i = columns.get(key)
        return texts[i] if i is not None and i < len(texts) else ""

    values = {key: get(key) for key in FIELD_HEADER}
    errors: list[LineError] = []
    for key in REQUIRED:
        if not values[key]:
            errors.append(
                LineError(
                    line,
                    FIELD_HEADER[key],
                    _("“{name}” is required.").format(name=FIELD_HEADER[key]),
                )
            )
    for key, limit in MAX_LENGTHS.items():
        if len(values[key]) > limit:
            errors.append(
                LineError(
                    line,
                    FIELD_HEADER[key],
                    _("“{name}” is longer than {limit} characters.").format(
                        name=FIELD_HEADER[key], limit=limit
                    ),
                )
            )
    phone = ""
    if values["phone"]:
        try:
            phone = validate_mainland_mobile(values["phone"])
        except ValidationFailure:
            errors.append(
                LineError(
                    line,
                    "联系电话",
                    _("“{value}” is not an 11-digit mainland mobile number.").format(
                        value=values["phone"]
                    ),
                )
            )
    intention = values["intention"].lower()
    status = INTENTIONS.get(intention)
    if status is None:
        errors.append(
            LineError(
                line,
                "报装意愿",
                _("“{value}” is not a sign-up answer: use 同意, 不同意 or leave it empty.").format(
                    value=values["intention"]
                ),
            )
        )
    if errors:
        result.errors.extend(errors)
        return None
    return ParsedRow(
        line=line,
        building=normalise_place("building", values["building"]),
        unit=normalise_place("unit", values["unit"]),
        room=normalise_place("room", values["room"]),
        contact_name=values["contact_name"],
        phone=phone,
        status=status,
        note=values["note"],
    )


def _existing_keys(project: Project) -> set[tuple[str, str, str]]:
    return set(Household.objects.filter(project=project).values_list("building", "unit", "room"))


def households_import(*, project: Project, actor, fileobj, filename: str = "") -> ImportResult:
    """Import a sheet of households: all lines or none (see the module docstring)."""
    require_manager(actor, project.org_unit_id)
    if project.status not in (ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED):
        raise RetrofitError("project_not_active")
    data = fileobj.read()
    if len(data) > MAX_BYTES:
        return ImportResult(
            errors=[
                LineError(
                    0,
                    "",
                    _("The file is larger than {mb} MB.").format(mb=MAX_BYTES // (1024 * 1024)),
                )
            ]
        )
    result = parse_households(io.BytesIO(data), existing=_existing_keys(project))
    if not result.ok:
        return result
    today = timezone.localdate()
    with transaction.atomic():
        p = lock(Project, project.pk)
        # Someone may have registered a flat of the file while it was being checked.
        clash = _existing_keys(p) & {r.key for r in result.rows}
        if clash:
            for row in result.rows:
                if row.key in clash:
                    result.errors.append(
                        LineError(
                            row.line,
                            "房号",
                            _("{flat} is already registered in this project.").format(
                                flat=household_label(*row.key)
                            ),
                        )
                    )
            return result
        households = Household.objects.bulk_create(
            Household(
                project=p,
                building=r.building,
                unit=r.unit,
                room=r.room,
                contact_name=r.contact_name,
                phone=r.phone,
                status=r.status,
                note=r.note,
                signed_up_on=today if r.status == HouseholdStatus.WILLING else None,
            )
            for r in result.rows
        )
        if any(h.pk is None for h in households):  # a backend without RETURNING
            by_key = {
                (h.building, h.unit, h.room): h.pk
                for h in Household.objects.filter(project=p).only("building", "unit", "room")
            }
            for h in households:
                h.pk = h.id = by_key[(h.building, h.unit, h.room)]
        HouseholdEvent.objects.bulk_create(
            HouseholdEvent(
                household_id=h.pk,
                action=HouseholdAction.IMPORT,
                to_status=h.status,
                on_date=today,
                reason=filename[:200],
                actor=actor,
            )
            for h in households
        )
        audit_record(
            action=AuditAction.CREATE,
            object_type="retrofit.household",
            object_repr=f"{p.number} import {len(households)}",
            changes={
                "imported": len(households),
                "file": filename[:200],
                "sha256": hashlib.sha256(data).hexdigest(),
            },
            reason="bulk import",
        )
        result.created = len(households)
    return result


def template_workbook() -> bytes:
    """The import template: the headers, two example lines and a sheet of instructions."""
    wb = Workbook()
    ws = wb.active
    ws.title = "住户"
    ws.append(TEMPLATE_HEADERS)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E6F4FF")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
    ws.append(["3", "2", "502", "张桂英", "13800000000", "同意", "白天有人"])
    ws.append(["3", "2", "601", "李建华", "13900000000", "", ""])
    for col, width in zip("ABCDEFG", (8, 8, 10, 12, 16, 10, 24), strict=True):
        ws.column_dimensions[col].width = width
    for col in ("A", "B", "C", "E"):  # text, so 0502 or a phone number stays as typed
        ws.column_dimensions[col].number_format = "@"
    choice = DataValidation(type="list", formula1='"同意,不同意,待定"', allow_blank=True)
    choice.add(f"F2:F{MAX_ROWS + 1}")
    ws.add_data_validation(choice)
    help_ws = wb.create_sheet("填写说明")
    for line in (
        ["列", "是否必填", "说明"],
        ["楼栋", "必填", "如 3 或 3栋；同一小区内唯一编号"],
        ["单元", "选填", "如 2 或 2单元；无单元的楼栋留空"],
        ["房号", "必填", "如 502；同一楼栋单元内不能重复"],
        ["联系人", "必填", "户主或常住联系人姓名"],
        ["联系电话", "必填", "11 位手机号码，如 13812345678"],
        ["报装意愿", "选填", "同意 / 不同意 / 待定（留空视为待征询）"],
        ["备注", "选填", "不超过 200 字"],
        ["", "", "示例行（第 2、3 行）请在导入前删除或替换。任何一行有误时整份文件都不会导入。"],
    ):
        help_ws.append(line)
    for cell in help_ws[1]:
        cell.font = bold
    help_ws.column_dimensions["A"].width = 10
    help_ws.column_dimensions["B"].width = 10
    help_ws.column_dimensions["C"].width = 60
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
