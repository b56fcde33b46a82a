"""Publicity materials (宣传资料) attached to a project, stored through Django's storage API.

The kind is decided by the file's bytes (PDF, JPEG, PNG), never by its name; the size is capped
by ``TONGQI_ATTACHMENT_MAX_BYTES``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.core.validators import ValidationFailure, validate_attachment

from ..errors import RetrofitError
from ..models import Material, Project
from .common import require_manager


def check_upload(uploaded) -> str:
    """The file's kind, or a RetrofitError whose message says what is wrong with it."""
    max_bytes = settings.TONGQI_ATTACHMENT_MAX_BYTES
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    try:
        return validate_attachment(uploaded.name, head, uploaded.size, max_bytes)
    except ValidationFailure as exc:
        messages = {
            "file_empty": _("The file is empty."),
            "file_too_large": _("The file is larger than {mb} MB.").format(
                mb=max_bytes // (1024 * 1024)
            ),
            "file_type": _("Only PDF, JPEG and PNG files are accepted."),
            "file_ext_mismatch": _("The file name's extension does not match its content."),
        }
        raise RetrofitError(exc.code, messages.get(exc.code), field="file") from None


def material_upload(*, project: Project, actor, kind: str, title: str, uploaded) -> Material:
    """Attach a file to the project."""
    require_manager(actor, project.org_unit_id)
    file_type = check_upload(uploaded)
    name = uploaded.name.replace("\\", "/").rsplit("/", 1)[-1][:200]
    with transaction.atomic():
        material = Material(
            project=project,
            kind=kind,
            title=title.strip() or name,
            original_name=name,
            file_type=file_type,
            size=uploaded.size,
            uploaded_by=actor,
        )
        material.file.save(name, uploaded, save=False)
        try:
            material.save()
            audit_record(
                action=AuditAction.CREATE,
                obj=material,
                object_repr=f"{project.number} {material.title}",
                changes={"file": name, "size": uploaded.size, "type": file_type},
            )
        except Exception:
            material.file.delete(save=False)  # no orphan file for a row that was not saved
            raise
    return material


def material_delete(*, material: Material, actor) -> None:
    """Remove the attachment and its file (after the row is gone for good)."""
    require_manager(actor, material.project.org_unit_id)
    storage, path = material.file.storage, material.file.name
    with transaction.atomic():
        audit_record(
            action=AuditAction.DELETE,
            obj=material,
            object_repr=f"{material.project.number} {material.title}",
            changes={"file": material.original_name},
        )
        material.delete()
        transaction.on_commit(lambda: storage.delete(path))
