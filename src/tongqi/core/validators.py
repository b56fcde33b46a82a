"""Pure validators for application data (SPEC §5): no Django, no database, no gettext.

Every validator returns the *normalised* value or raises :class:`ValidationFailure`, a
``ValueError`` carrying a stable machine ``code`` (the Django layer turns the code into a
translated, field-level message) and an English ``message`` for logs and the API.

Codes (stable; tests and the Django layer key on them):

===================== ===========================================================
``uscc_format``        not 18 characters of the USCC alphabet (GB 32100-2015 §4)
``uscc_checksum``      18th character is not the GB 32100 check character
``uscc_authority``     positions 1–2 are not a registration-authority/category pair
``uscc_region``        positions 3–8 are not a division code of a known province
``uscc_body_checksum`` (only with ``check_body=True``) positions 9–17 fail GB 11714
``mobile_format``      not a mainland mobile number 1[3-9]xxxxxxxxx
``id_format``          not 17 digits + a check character (0-9 or X)
``id_checksum``        check character wrong (GB 11643-1999, ISO 7064 MOD 11-2)
``id_region``          first two digits are not a province-level code
``id_birthdate``       positions 7–14 are not a real date in [1900-01-01, today]
``flow_invalid``       rated flow is not a finite number
``flow_range``         rated flow not in (0, 5000] m³/h
``flow_precision``     rated flow has more than 3 decimals
``consumption_*``      the same three for annual consumption, range [0, 1e9] m³/year
``file_empty``         attachment has no bytes
``file_too_large``     attachment larger than the configured limit
``file_type``          content is not PDF, JPEG or PNG (sniffed from the bytes)
``file_ext_mismatch``  the file name's extension disagrees with the content
===================== ===========================================================
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

__all__ = [
    "MESSAGES",
    "ValidationFailure",
    "organization_code_check_char",
    "peak_load",
    "resident_id_check_char",
    "sniff_file_type",
    "uscc_check_char",
    "validate_annual_consumption",
    "validate_attachment",
    "validate_mainland_mobile",
    "validate_rated_flow",
    "validate_resident_id",
    "validate_uscc",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")

MESSAGES: dict[str, str] = {
    "uscc_format": "A unified social credit code is 18 characters: digits and capital letters "
    "except I, O, S, V and Z.",
    "uscc_checksum": "The unified social credit code's check character does not match; "
    "please check the code for a typing error.",
    "uscc_authority": "The first two characters are not a registration authority and "
    "institution category defined by GB 32100-2015.",
    "uscc_region": "Characters 3-8 are not an administrative division code.",
    "uscc_body_checksum": "Characters 9-17 are not a valid organisation code (GB 11714).",
    "mobile_format": "Enter an 11-digit mainland China mobile number, e.g. 13812345678.",
    "id_format": "A resident ID number is 17 digits followed by a digit or X.",
    "id_checksum": "The resident ID number's check character does not match; "
    "please check the number for a typing error.",
    "id_region": "The resident ID number does not start with a province-level region code.",
    "id_birthdate": "The birth date in the resident ID number is not a real date between "
    "1900-01-01 and today.",
    "flow_invalid": "The rated flow must be a number (m³/h).",
    "flow_range": "The rated flow must be greater than 0 and at most 5000 m³/h.",
    "flow_precision": "The rated flow may have at most 3 decimal places.",
    "consumption_invalid": "The annual consumption must be a number (m³/year).",
    "consumption_range": "The annual consumption must be between 0 and 1,000,000,000 m³/year.",
    "consumption_precision": "The annual consumption may have at most 3 decimal places.",
    "file_empty": "The file is empty.",
    "file_too_large": "The file is larger than the allowed size.",
    "file_type": "Only PDF, JPEG and PNG files are accepted.",
    "file_ext_mismatch": "The file name's extension does not match its content.",
}


class ValidationFailure(ValueError):
    """A value was refused; ``code`` is stable, ``message`` is English, ``params`` fill a
    translated template in the Django layer (e.g. ``{"max_bytes": 10485760}``)."""

    def __init__(self, code: str, message: str | None = None, **params: object) -> None:
        self.code = code
        self.message = message or MESSAGES.get(code, code)
        self.params = params
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"ValidationFailure(code={self.code!r}, message={self.message!r})"


def _clean_text(value: object, code: str) -> str:
    """NFKC (full-width ＡＢ１２ from Chinese IMEs → ASCII), drop all whitespace, upper-case."""
    if not isinstance(value, str):
        raise ValidationFailure(code)
    text = unicodedata.normalize("NFKC", value)
    return "".join(text.split()).upper()


# --------------------------------------------------------------------------------------------
# Province-level codes (GB/T 2260), shared by the USCC division check and the resident ID.
# 11–15 north, 21–23 north-east, 31–37 east, 41–46 centre-south, 50–54 south-west,
# 61–65 north-west, 71 Taiwan, 81 Hong Kong, 82 Macao.
PROVINCE_CODES: frozenset[str] = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)

# --------------------------------------------------------------------------------------------
# 统一社会信用代码 — GB 32100-2015 (with amendment XG1-2016)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
USCC_WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, …

# Registration authority (登记管理部门码, position 1) → allowed institution categories
# (机构类别码, position 2), as published with GB 32100-2015 and its later additions:
# 1 机构编制 (1 机关, 2 事业单位, 3 中央编办直管群众团体, 9 其他); 2 外交 (1 外国常驻新闻机构,
# 9); 3 司法行政 (1 律师执业机构, 2 公证处, 3 基层法律服务所, 4 司法鉴定机构, 5 仲裁委员会, 9);
# 4 文化 (1 外国在华文化中心, 9); 5 民政 (1 社会团体, 2 民办非企业单位, 3 基金会, 9);
# 6 旅游 (1 外国旅游部门常驻代表机构, 2 港澳台旅游部门常驻代表机构, 9); 7 宗教 (1 宗教活动场所,
# 2 宗教院校, 9); 8 工会 (1 基层工会, 9); 9 工商/市场监管 (1 企业, 2 个体工商户, 3 农民专业合作社);
# A 中央军委改革和编制办公室 (1 军队事业单位, 9); N 农业 (1 组级, 2 村级, 3 乡镇级集体经济组织, 9);
# Y 其他 (1 only).
USCC_AUTHORITY_CATEGORIES: dict[str, str] = {
    "1": "1239",
    "2": "19",
    "3": "123459",
    "4": "19",
    "5": "1239",
    "6": "129",
    "7": "129",
    "8": "19",
    "9": "123",
    "A": "19",
    "N": "1239",
    "Y": "1",
}

# Division codes of the registering authority: a province-level prefix, or 10 for
# national-level registrations (100000, e.g. central SOEs registered with SAMR).
_USCC_REGION_PREFIXES = PROVINCE_CODES | {"10"}

_USCC_SHAPE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")


def uscc_check_char(first17: str) -> str:
    """The 18th character of a USCC: C18 = 31 − (Σ Ci·Wi mod 31), Wi = 3^(i−1) mod 31,
    with 31 read as 0 (GB 32100-2015 §5, the ISO 7064 MOD 31-3 family over 31 symbols)."""
    if len(first17) != 17 or any(ch not in _USCC_VALUE for ch in first17):
        raise ValidationFailure("uscc_format")
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organization_code_check_char(first8: str) -> str:
    """The 9th character of an organisation code (GB 11714-1997): C9 = 11 − (Σ Ci·Wi mod 11),
    10 → X, 11 → 0; letters count A=10 … Z=35."""
    if len(first8) != 8 or not all(ch.isascii() and ch.isalnum() for ch in first8):
        raise ValidationFailure("uscc_format")
    total = sum(int(ch, 36) * w for ch, w in zip(first8.upper(), _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_uscc(value: object, *, check_body: bool = False) -> str:
    """Validate a unified social credit code; return it upper-case, without spaces.

    Checks, in order: shape (18 characters of the 31-symbol alphabet), the check character,
    the authority/category pair, the division prefix. A check-character failure is reported
    before the structural ones because it is by far the likeliest cause (a typing error).

    The organisation-code body (positions 9–17) is "compiled per GB 11714", which has its own
    check character. Every real code we have seen satisfies it, but enforcing it buys little
    (the mod-31 check already catches every single-character error and every transposition in
    the first 17 characters) and pilot-era registrations are known to deviate from the
    standard (e.g. Xiamen codes issued before 2016 fail even the 18th-character check), so it
    is opt-in: ``check_body=True`` raises ``uscc_body_checksum``.
    """
    code = _clean_text(value, "uscc_format")
    if not _USCC_SHAPE.fullmatch(code):
        raise ValidationFailure("uscc_format")
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationFailure("uscc_checksum")
    if code[1] not in USCC_AUTHORITY_CATEGORIES.get(code[0], ""):
        raise ValidationFailure("uscc_authority")
    if not code[2:8].isdigit() or code[2:4] not in _USCC_REGION_PREFIXES:
        raise ValidationFailure("uscc_region")
    if check_body and organization_code_check_char(code[8:16]) != code[16]:
        raise ValidationFailure("uscc_body_checksum")
    return code


# --------------------------------------------------------------------------------------------
# Mainland mobile numbers

_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def validate_mainland_mobile(value: object) -> str:
    """Validate a mainland China mobile number; return the bare 11 digits.

    Accepted decorations: spaces and hyphens anywhere, full-width digits, and a leading
    ``+86`` / ``0086`` / ``86`` country code. Anything else (other country codes, letters,
    landlines, 12-digit numbers) is refused with ``mobile_format``.

    Why only the shape ``1[3-9]\\d{9}`` and no segment list: MIIT keeps opening segments
    (the 17x and 16x blocks in the 2010s, 19x from 2017, 192 for China Broadnet later), MVNOs
    (170/171 and 162/165/167) and IoT/data-only blocks share the same space, and a number
    can move between carriers (携号转网) so the prefix no longer tells the carrier. A
    hard-coded list would go stale and refuse real customers; the second digit 0–2 is never
    a mobile number (10x/11x/12x are service and emergency numbers), so that is what we
    refuse. Whether the number is *reachable* is the SMS verification's job, not ours.
    """
    if not isinstance(value, str):
        raise ValidationFailure("mobile_format")
    text = unicodedata.normalize("NFKC", value)
    text = "".join(text.split()).replace("-", "")
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not _MOBILE.fullmatch(text):
        raise ValidationFailure("mobile_format")
    return text


# --------------------------------------------------------------------------------------------
# 居民身份证号码 — GB 11643-1999

ID_WEIGHTS: tuple[int, ...] = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7, 9, 10, 5, …
ID_CHECK_CHARS = "10X98765432"  # indexed by Σ mod 11

# Province-level prefixes of a 公民身份号码: the GB/T 2260 provinces plus 83, the address
# code of Taiwan residents' residence permits (港澳台居民居住证, 2018: 810000 Hong Kong,
# 820000 Macao, 830000 Taiwan), which carry a number built by the same standard.
# Not accepted: 91 (an old "abroad" entry of some tables, no GB/T 2260 code) and the 2023
# foreign permanent-resident card, whose number starts with 9 — it is a different document.
ID_REGION_CODES: frozenset[str] = PROVINCE_CODES | {"83"}

_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def resident_id_check_char(first17: str) -> str:
    """Check character of a resident ID number: Wi = 2^(17−i) mod 11 over positions
    1–17, Σ mod 11 mapped through ``"10X98765432"`` (ISO 7064 MOD 11-2)."""
    if len(first17) != 17 or not all(ch in "0123456789" for ch in first17):
        raise ValidationFailure("id_format")
    total = sum(int(ch) * w for ch, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def validate_resident_id(value: object, *, today: date | None = None) -> str:
    """Validate an 18-character resident ID number; return it with an upper-case X.

    Order: shape → check character → province → birth date (1900-01-01 ≤ birth ≤ today,
    today in Asia/Shanghai unless given). First-generation 15-digit numbers expired in 2013
    and are refused as ``id_format``.
    """
    number = _clean_text(value, "id_format")
    if not _ID_SHAPE.fullmatch(number):
        raise ValidationFailure("id_format")
    if resident_id_check_char(number[:17]) != number[17]:
        raise ValidationFailure("id_checksum")
    if number[:2] not in ID_REGION_CODES:
        raise ValidationFailure("id_region")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationFailure("id_birthdate") from None
    if today is None:
        today = datetime.now(SHANGHAI).date()
    if not date(1900, 1, 1) <= born <= today:
        raise ValidationFailure("id_birthdate")
    return number


# --------------------------------------------------------------------------------------------
# Flows and consumption

_Q3 = Decimal("0.001")
MAX_RATED_FLOW = Decimal("5000")
MAX_ANNUAL_CONSUMPTION = Decimal("1000000000")


def _to_decimal(value: object, code: str) -> Decimal:
    """Decimal from Decimal, int or str. Floats are a programming error (TypeError): a
    binary float cannot carry 0.1 m³/h exactly, so it must not reach a stored value."""
    if isinstance(value, float):
        raise TypeError("pass a Decimal, int or str, not float")
    if isinstance(value, bool):
        raise ValidationFailure(code)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationFailure(code) from None
    else:
        raise ValidationFailure(code)
    if not number.is_finite():
        raise ValidationFailure(code)
    return number


def _three_decimals(number: Decimal, code: str) -> Decimal:
    quantized = number.quantize(_Q3)
    if quantized != number:
        raise ValidationFailure(code)
    return quantized


def validate_rated_flow(value: object) -> Decimal:
    """Rated flow of one appliance (额定流量), m³/h: 0 < q ≤ 5000, at most 3 decimals.
    Returned quantized to 0.001 (``"1.5"`` → ``Decimal("1.500")``)."""
    number = _to_decimal(value, "flow_invalid")
    if not Decimal(0) < number <= MAX_RATED_FLOW:
        raise ValidationFailure("flow_range", max=str(MAX_RATED_FLOW))
    return _three_decimals(number, "flow_precision")


def validate_annual_consumption(value: object) -> Decimal:
    """Estimated annual consumption (年用气量), m³/year: 0 ≤ q ≤ 1e9, at most 3 decimals.
    Zero is allowed (a customer who cannot estimate yet); returned quantized to 0.001."""
    number = _to_decimal(value, "consumption_invalid")
    if not Decimal(0) <= number <= MAX_ANNUAL_CONSUMPTION:
        raise ValidationFailure("consumption_range", max=str(MAX_ANNUAL_CONSUMPTION))
    return _three_decimals(number, "consumption_precision")


def peak_load(
    appliances: Iterable[tuple[Decimal, int]], simultaneity: Decimal = Decimal("1")
) -> Decimal:
    """Peak (calculation) load in m³/h: k · Σ (rated flow × count), quantized to 0.001.

    ``k`` is the simultaneity factor (同时工作系数): the share of the installed appliances
    expected to burn at the same moment. GB 50028 (城镇燃气设计规范) computes the design flow
    of indoor piping as Qh = Σ k·N·Qn and tabulates k only for households (it falls as the
    number of flats grows). For commercial and industrial users it leaves k to the actual
    operating pattern: a commercial kitchen (商业厨房) at lunch service runs nearly every
    wok burner, stockpot and steamer together, so k is close to 1; a canteen with staggered
    equipment or a boiler room with a standby boiler may justify less. We default to 1 —
    the safe side for sizing the meter and the service pipe — and let the account manager
    or designer enter a lower k with the survey record. 0 < k ≤ 1.
    """
    if isinstance(simultaneity, float) or not isinstance(simultaneity, Decimal | int):
        raise TypeError("simultaneity must be a Decimal")
    k = Decimal(simultaneity)
    if not Decimal(0) < k <= Decimal(1):
        raise ValueError("simultaneity must be in (0, 1]")
    total = Decimal(0)
    for flow, count in appliances:
        if isinstance(flow, float) or not isinstance(flow, Decimal | int):
            raise TypeError("rated flow must be a Decimal")
        if isinstance(count, bool) or not isinstance(count, int):
            raise TypeError("appliance count must be an int")
        if flow < 0 or count < 0:
            raise ValueError("rated flow and count must not be negative")
        total += Decimal(flow) * count
    return (total * k).quantize(_Q3, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------------
# Attachments: the kind is decided by the bytes, never by the name

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_EXTENSIONS: dict[str, frozenset[str]] = {
    "pdf": frozenset({"pdf"}),
    "jpeg": frozenset({"jpg", "jpeg"}),
    "png": frozenset({"png"}),
}


def sniff_file_type(head: bytes) -> str | None:
    """``"pdf"``, ``"jpeg"`` or ``"png"`` from the first bytes of a file, else None.

    PDF: ``%PDF-`` at offset 0 (ISO 32000 puts the header first; readers tolerate junk
    before it, we do not — that tolerance is how PDF polyglots are built). JPEG: the SOI
    marker FF D8 followed by a marker byte FF. PNG: the full 8-byte signature.
    """
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(_PNG_SIGNATURE):
        return "png"
    return None


def validate_attachment(name: str, head: bytes, size: int, max_bytes: int) -> str:
    """Check an upload; return its kind (``"pdf"``, ``"jpeg"``, ``"png"``).

    ``head`` is the first bytes of the content (16 are plenty), ``size`` its total length.
    Order: empty → too large → kind by content → extension agrees with the kind
    (``.pdf``, ``.jpg``/``.jpeg``, ``.png``, any case). A browser may send a path
    (``C:\\fakepath\\x.pdf``); only the last component counts.
    """
    if size <= 0:
        raise ValidationFailure("file_empty")
    if size > max_bytes:
        raise ValidationFailure("file_too_large", max_bytes=max_bytes, size=size)
    kind = sniff_file_type(head)
    if kind is None:
        raise ValidationFailure("file_type")
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem or ext.lower() not in _EXTENSIONS[kind]:
        raise ValidationFailure("file_ext_mismatch", kind=kind)
    return kind
