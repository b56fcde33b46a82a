"""Masking of personal data (PIPL): what lists, exports and logs show instead of the real value."""

from __future__ import annotations


def mask_mobile(value: str | None) -> str:
    """``13812345678`` → ``138****5678``; anything short is starred but for the last 2 characters."""
    if not value:
        return ""
    v = str(value)
    if len(v) >= 11:
        return v[:3] + "****" + v[-4:]
    if len(v) <= 2:
        return "*" * len(v)
    return "*" * (len(v) - 2) + v[-2:]


def mask_id_number(value: str | None) -> str:
    """``110105199001011234`` → ``110105********1234`` (region kept, birth date hidden)."""
    if not value:
        return ""
    v = str(value)
    if len(v) >= 15:
        return v[:6] + "*" * (len(v) - 10) + v[-4:]
    return "*" * max(len(v) - 2, 0) + v[-2:]


def mask_name(value: str | None) -> str:
    """``张三丰`` → ``张**``: the family name stays so staff can still address the person."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


MASKERS = {"mobile": mask_mobile, "id_number": mask_id_number, "name": mask_name}


def mask(kind: str, value: str | None) -> str:
    return MASKERS[kind](value)
