"""Tests for tongqi.core.validators (pure: run with ``-p no:django``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tongqi.core.validators import (
    ID_CHECK_CHARS,
    ID_REGION_CODES,
    USCC_ALPHABET,
    USCC_AUTHORITY_CATEGORIES,
    USCC_WEIGHTS,
    ValidationFailure,
    organization_code_check_char,
    peak_load,
    resident_id_check_char,
    sniff_file_type,
    uscc_check_char,
    validate_annual_consumption,
    validate_attachment,
    validate_mainland_mobile,
    validate_rated_flow,
    validate_resident_id,
    validate_uscc,
)


class fails_with:  # lower-case: reads like pytest.raises
    """``with fails_with("uscc_checksum"):`` — assert a ValidationFailure with that code."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        assert exc_type is not None, f"expected ValidationFailure({self.code!r}), none raised"
        assert issubclass(exc_type, ValidationFailure), exc
        assert exc.code == self.code, f"expected {self.code!r}, got {exc.code!r}"
        assert isinstance(exc, ValueError)
        assert exc.message
        assert "\n" not in exc.message
        return True


# ============================================================================================
# USCC — GB 32100-2015

# Real codes, each published for the named organisation. Sources: (W) zh.wikipedia infobox;
# (C) check-china.com sample business-licence report; (T) enterprise-data API samples in
# public repositories (Tianyancha/Qichacha-shaped responses, with the old registration or
# organisation number alongside, which agrees with the code's body); (I) the test data of
# bluesky335/IDCheck; (G) a GitHub issue quoting it as a real code.
REAL_USCCS = {
    "914403001922038216": "华为技术有限公司 (W)",
    "91440300708461136T": "深圳市腾讯计算机系统有限公司 (C; reg. no. 440301103448669)",
    "9144030071526726XG": "腾讯科技（深圳）有限公司 (T; legal rep. 马化腾)",
    "91330100799655058B": "阿里巴巴（中国）有限公司 (T; reg. no. 330100400067581)",
    "91110108551385082Q": "小米科技有限责任公司 (T)",
    "91110000802100433B": "北京百度网讯科技有限公司 (T; org. no. 802100433)",
    "91520000214434146R": "中航重机股份有限公司, SSE 600765 (T; reg. no. 520000000005018)",
    "91110108795101314G": "谷歌信息技术（中国）有限公司 (I)",
    "9135020026015919XW": "厦门象屿集团有限公司 (I)",
    "913502006120495420": "厦门中骏集团有限公司 (I)",
    "9135010557098120XJ": "福建百度博瑞网络科技有限公司 (I)",
    "91100000100003962T": "中国工商银行股份有限公司, SSE 601398 / HKEX 01398, registered at "
    "national level (100000) (T: an East Money F10-shaped sample for 01398.HK)",
    "12440600MB2C07549J": "a 事业单位 (authority 1, category 2) registered in Foshan "
    "(G: xbeginagain/generator#2)",
}

# Pilot-era Fujian/Xiamen codes, issued before the national rollout: real and in use, but
# their 18th character disagrees with GB 32100 (hutool issues #2020 and #4119, IDCheck).
# We refuse them like any other checksum failure — a documented limitation; the counter
# clerk can enter such a customer after checking the licence (the Django layer's call).
PILOT_ERA_USCCS = {
    "91350100M0001TGQXM": "福建恒跃柳工机械销售有限公司",
    "91350211M0000XUF46": "厦门云上晴空航空科技有限公司",
    "91350203M0001FUE2P": "厦门黑脉网络科技有限公司",
    "91350203M0001QKT19": "(hutool#4119)",
}


@pytest.mark.parametrize("code", sorted(REAL_USCCS))
def test_real_uscc_passes(code):
    assert validate_uscc(code) == code


@pytest.mark.parametrize("code", sorted(REAL_USCCS))
def test_real_uscc_body_satisfies_gb11714_too(code):
    # the evidence behind offering check_body: every real code here passes it
    assert validate_uscc(code, check_body=True) == code
    assert organization_code_check_char(code[8:16]) == code[16]


@pytest.mark.parametrize("code", sorted(PILOT_ERA_USCCS))
def test_pilot_era_codes_fail_the_check_character(code):
    with fails_with("uscc_checksum"):
        validate_uscc(code)


def test_uscc_normalisation():
    assert validate_uscc(" 9144 0300 7152 6726 xg ") == "9144030071526726XG"
    full_width = "９１４４０３００１９２２０３８２１６"
    assert validate_uscc(full_width) == "914403001922038216"
    assert validate_uscc("91110108551385082q\t") == "91110108551385082Q"


def test_uscc_weights_are_powers_of_three_mod_31():
    assert USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(USCC_ALPHABET) == 31
    assert not set("IOSVZ") & set(USCC_ALPHABET)


def _altered(code: str, index: int, replacement: str) -> str:
    return code[:index] + replacement + code[index + 1 :]


@pytest.mark.parametrize("code", sorted(REAL_USCCS))
def test_real_uscc_altered_fails(code):
    # one character changed in the body, the check character changed, two neighbours swapped
    body_index = 12
    other = "A" if code[body_index] != "A" else "B"
    with fails_with("uscc_checksum"):
        validate_uscc(_altered(code, body_index, other))
    other_check = "0" if code[17] != "0" else "1"
    with fails_with("uscc_checksum"):
        validate_uscc(code[:17] + other_check)
    i = next(i for i in range(8, 16) if code[i] != code[i + 1])
    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
    with fails_with("uscc_checksum"):
        validate_uscc(swapped)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "91440300192203821",  # 17 characters
        "9144030019220382161",  # 19 characters
        "91440300192203821I",  # I is not in the alphabet
        "9144030O1922038216",  # O neither
        "91440300-192203821",
        None,
        914403001922038216,
    ],
)
def test_uscc_format(value):
    with fails_with("uscc_format"):
        validate_uscc(value)


def _with_check(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def test_uscc_authority_and_region():
    # valid check characters, but impossible structure
    with fails_with("uscc_authority"):
        validate_uscc(_with_check("94440300192203821"))  # 工商 has no category 4
    with fails_with("uscc_authority"):
        validate_uscc(_with_check("B1440300192203821"))  # no authority B
    with fails_with("uscc_authority"):
        validate_uscc(_with_check("Y2440300192203821"))  # Y has only category 1
    with fails_with("uscc_region"):
        validate_uscc(_with_check("91990300192203821"))  # no province 99
    with fails_with("uscc_region"):
        validate_uscc(_with_check("914A0300192203821"))  # division code is digits
    # national-level registrations use division 100000 (ICBC, in REAL_USCCS)
    assert _with_check("91100000100003962") == "91100000100003962T"


def test_uscc_body_check_opt_in():
    first17 = "91440300192203820"  # body 19220382-0, its GB 11714 check is 1
    code = _with_check(first17)
    assert validate_uscc(code) == code
    with fails_with("uscc_body_checksum"):
        validate_uscc(code, check_body=True)


def test_check_char_helpers_refuse_bad_input():
    with fails_with("uscc_format"):
        uscc_check_char("9144030019220382")
    with fails_with("uscc_format"):
        uscc_check_char("9144030019220382I")
    with fails_with("uscc_format"):
        organization_code_check_char("1922038")


_alphabet = st.sampled_from(USCC_ALPHABET)


@st.composite
def valid_uscc_prefixes(draw) -> str:
    authority = draw(st.sampled_from(sorted(USCC_AUTHORITY_CATEGORIES)))
    category = draw(st.sampled_from(USCC_AUTHORITY_CATEGORIES[authority]))
    province = draw(st.sampled_from(sorted(ID_REGION_CODES - {"83"})))
    county = draw(st.text("0123456789", min_size=4, max_size=4))
    body = draw(st.text(USCC_ALPHABET, min_size=9, max_size=9))
    return authority + category + province + county + body


@given(st.text(USCC_ALPHABET, min_size=17, max_size=17))
def test_any_prefix_plus_its_check_char_satisfies_the_checksum(prefix):
    code = prefix + uscc_check_char(prefix)
    assert uscc_check_char(code[:17]) == code[17]


@given(valid_uscc_prefixes())
def test_structurally_valid_prefix_plus_check_char_passes(prefix):
    code = prefix + uscc_check_char(prefix)
    assert validate_uscc(code) == code


@given(st.text(USCC_ALPHABET, min_size=17, max_size=17), st.integers(0, 17), _alphabet)
def test_every_single_substitution_is_detected(prefix, index, replacement):
    """Property: in a code satisfying the mod-31 check, replacing any ONE character (any of
    the 18 positions) by a DIFFERENT character of the 31-symbol alphabet breaks the check.

    Why: the weighted sum changes by w·(b − a) with w = 3^i mod 31 ≠ 0 (31 is prime) and
    0 < |b − a| ≤ 30, so the change is never ≡ 0 (mod 31); the check character maps the
    31 residues one-to-one onto the 31 symbols, so changing it alone also breaks the check.
    """
    code = prefix + uscc_check_char(prefix)
    assume(code[index] != replacement)
    changed = _altered(code, index, replacement)
    assert uscc_check_char(changed[:17]) != changed[17]
    with pytest.raises(ValidationFailure):
        validate_uscc(changed)


@given(
    st.text(USCC_ALPHABET, min_size=17, max_size=17),
    st.integers(0, 16),
    st.integers(0, 16),
)
def test_every_transposition_in_the_first_17_is_detected(prefix, i, j):
    """Property: swapping two DIFFERENT characters among positions 1–17 breaks the check.
    The sum changes by (a − b)(3^i − 3^j); 3 is a primitive root mod 31 (order 30) and
    |i − j| ≤ 16 < 30, so 3^i ≢ 3^j."""
    assume(prefix[i] != prefix[j])
    code = prefix + uscc_check_char(prefix)
    chars = list(code)
    chars[i], chars[j] = chars[j], chars[i]
    swapped = "".join(chars)
    assert uscc_check_char(swapped[:17]) != swapped[17]


# ============================================================================================
# Mainland mobile numbers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+86-13812345678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),  # full-width digits
        ("13812345678\n", "13812345678"),  # whitespace of any kind is dropped
        ("19212345678", "19212345678"),  # China Broadnet
        ("16612345678", "16612345678"),
        ("17012345678", "17012345678"),  # MVNO
        ("14512345678", "14512345678"),
    ],
)
def test_mobile_accepted(raw, expected):
    assert validate_mainland_mobile(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "12812345678",  # second digit 2
        "10086000000",
        "23812345678",
        "+1 650 253 0000",
        "+8513812345678",
        "86 138123456",  # 86 + 9 digits
        "(+86)13812345678",
        "138.1234.5678",
        "1381234567x",
        "١٣٨١٢٣٤٥٦٧٨",  # Arabic-Indic digits are digits to \\d, not to us
        None,
        13812345678,
    ],
)
def test_mobile_refused(raw):
    with fails_with("mobile_format"):
        validate_mainland_mobile(raw)


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_any_mobile_shape_round_trips_with_decorations(number):
    assert validate_mainland_mobile(number) == number
    assert validate_mainland_mobile(f"+86 {number[:3]}-{number[3:7]}-{number[7:]}") == number


# ============================================================================================
# Resident ID — GB 11643-1999

TODAY = date(2026, 6, 1)


def test_standard_example_passes():
    assert validate_resident_id("11010519491231002X", today=TODAY) == "11010519491231002X"
    assert validate_resident_id("11010519491231002x", today=TODAY) == "11010519491231002X"
    assert validate_resident_id(" 110105 19491231 002X ", today=TODAY) == "11010519491231002X"
    full_width = "１１０１０５１９４９１２３１００２ｘ"
    assert validate_resident_id(full_width, today=TODAY) == "11010519491231002X"


def test_standard_second_example_has_valid_checksum_but_born_1880():
    # GB 11643's other example (born 1880-01-01) is arithmetically fine, refused by our
    # 1900 floor: nobody applying for a gas connection was born before 1900.
    assert resident_id_check_char("44052418800101001") == "4"
    with fails_with("id_birthdate"):
        validate_resident_id("440524188001010014", today=TODAY)


def test_id_weights():
    assert resident_id_check_char("11010519491231002") == "X"
    assert ID_CHECK_CHARS == "10X98765432"


def _id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


@pytest.mark.parametrize(
    "value",
    ["", "11010519491231002", "110105194912310", "11010519491231002Y", "1101051949123100XX",
     "11010519491231002X0", "X10105194912310020", None, 110105194912310020],
)  # fmt: skip
def test_id_format(value):
    with fails_with("id_format"):
        validate_resident_id(value, today=TODAY)


def test_id_checksum():
    with fails_with("id_checksum"):
        validate_resident_id("110105194912310021", today=TODAY)


@pytest.mark.parametrize("prefix", ["00", "10", "16", "20", "24", "38", "47", "55", "66", "72",
                                    "80", "84", "90", "91", "99"])  # fmt: skip
def test_id_region_refused(prefix):
    with fails_with("id_region"):
        validate_resident_id(_id(prefix + "010519491231002"), today=TODAY)


@pytest.mark.parametrize("prefix", ["11", "15", "21", "23", "31", "37", "41", "46", "50", "54",
                                    "61", "65", "71", "81", "82", "83"])  # fmt: skip
def test_id_region_accepted(prefix):
    number = _id(prefix + "010519491231002")
    assert validate_resident_id(number, today=TODAY) == number


@pytest.mark.parametrize(
    "birth",
    ["19490230", "19491301", "19490001", "19490100", "18991231", "20260602", "20990101"],
)
def test_id_birthdate_refused(birth):
    with fails_with("id_birthdate"):
        validate_resident_id(_id("420102" + birth + "001"), today=TODAY)


@pytest.mark.parametrize("birth", ["19000101", "20000229", "20260601"])
def test_id_birthdate_bounds_accepted(birth):
    number = _id("420102" + birth + "001")
    assert validate_resident_id(number, today=TODAY) == number


def test_id_today_defaults_to_shanghai_date():
    assert validate_resident_id("11010519491231002X") == "11010519491231002X"


@st.composite
def resident_id_prefixes(draw) -> str:
    region = draw(st.sampled_from(sorted(ID_REGION_CODES))) + draw(
        st.text("0123456789", min_size=4, max_size=4)
    )
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    serial = draw(st.text("0123456789", min_size=3, max_size=3))
    return region + born.strftime("%Y%m%d") + serial


@given(resident_id_prefixes())
def test_computed_check_passes(prefix):
    number = prefix + resident_id_check_char(prefix)
    assert validate_resident_id(number, today=TODAY) == number


@given(resident_id_prefixes(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_character_change_fails(prefix, index, replacement):
    """Changing one digit at any of the 17 positions by d ≠ 0 changes the sum by w·d with
    w = 2^k mod 11 ≠ 0 and |d| ≤ 9 < 11: detected; the 11 check symbols are distinct."""
    number = prefix + resident_id_check_char(prefix)
    if index < 17:
        replacement = replacement if replacement != "X" else "0"
    assume(number[index] != replacement)
    changed = number[:index] + replacement + number[index + 1 :]
    assert resident_id_check_char(changed[:17]) != changed[17]
    with pytest.raises(ValidationFailure):
        validate_resident_id(changed, today=TODAY)


# ============================================================================================
# Flows, consumption, peak load


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2.5", Decimal("2.500")),
        (Decimal("0.001"), Decimal("0.001")),
        (5000, Decimal("5000.000")),
        ("5000.000", Decimal("5000.000")),
        (" 1.250 ", Decimal("1.250")),
        ("1.2500", Decimal("1.250")),  # trailing zero beyond 3 places is still 3 decimals
        ("１.５", Decimal("1.500")),
    ],
)
def test_rated_flow_ok(raw, expected):
    result = validate_rated_flow(raw)
    assert result == expected
    assert result.as_tuple().exponent == -3


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("0", "flow_range"),
        ("-1", "flow_range"),
        ("5000.001", "flow_range"),
        ("1e9", "flow_range"),
        ("0.0001", "flow_precision"),
        ("1.2345", "flow_precision"),
        ("abc", "flow_invalid"),
        ("", "flow_invalid"),
        ("NaN", "flow_invalid"),
        ("Infinity", "flow_invalid"),
        (None, "flow_invalid"),
        (True, "flow_invalid"),
    ],
)
def test_rated_flow_refused(raw, code):
    with fails_with(code):
        validate_rated_flow(raw)


def test_rated_flow_refuses_float():
    with pytest.raises(TypeError):
        validate_rated_flow(2.5)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", Decimal("0.000")), ("1000000000", Decimal("1000000000.000")), (36500, Decimal(36500))],
)
def test_annual_consumption_ok(raw, expected):
    assert validate_annual_consumption(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("-0.001", "consumption_range"),
        ("1000000000.001", "consumption_range"),
        ("12.3456", "consumption_precision"),
        ("twelve", "consumption_invalid"),
        ("-Infinity", "consumption_invalid"),
    ],
)
def test_annual_consumption_refused(raw, code):
    with fails_with(code):
        validate_annual_consumption(raw)


def test_peak_load():
    kitchen = [(Decimal("2.8"), 4), (Decimal("1.25"), 2), (Decimal("0.6"), 1)]
    assert peak_load(kitchen) == Decimal("14.300")
    assert peak_load(kitchen, Decimal("0.8")) == Decimal("11.440")
    assert peak_load([]) == Decimal("0.000")
    assert peak_load([(Decimal("0.3335"), 1)], Decimal("1")) == Decimal("0.334")  # half up


def test_peak_load_refuses_nonsense():
    with pytest.raises(ValueError, match="simultaneity"):
        peak_load([(Decimal(1), 1)], Decimal("1.1"))
    with pytest.raises(ValueError, match="simultaneity"):
        peak_load([(Decimal(1), 1)], Decimal("0"))
    with pytest.raises(ValueError, match="negative"):
        peak_load([(Decimal(1), -1)])
    with pytest.raises(TypeError):
        peak_load([(1.5, 1)])
    with pytest.raises(TypeError):
        peak_load([(Decimal(1), 1.0)])
    with pytest.raises(TypeError):
        peak_load([(Decimal(1), 1)], 0.5)


@given(
    st.lists(
        st.tuples(
            st.decimals(min_value="0.001", max_value="5000", places=3),
            st.integers(0, 50),
        ),
        max_size=20,
    )
)
def test_peak_load_is_sum_of_flow_times_count(appliances):
    assert peak_load(appliances) == sum((f * n for f, n in appliances), Decimal(0))


# ============================================================================================
# Attachments

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
MB = 1024 * 1024


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (PDF, "pdf"),
        (JPEG, "jpeg"),
        (b"\xff\xd8\xff\xe1\x00\x18Exif", "jpeg"),
        (PNG, "png"),
        (b"", None),
        (b"%PD", None),
        (b" %PDF-1.4", None),  # header must be first
        (b"\x89PNG\r\n\x1a", None),  # truncated signature
        (b"\xff\xd8\x00", None),
        (b"GIF89a", None),
        (b"PK\x03\x04", None),  # docx/zip
        (b"<html>%PDF-", None),
    ],
)
def test_sniff(head, kind):
    assert sniff_file_type(head) == kind


@pytest.mark.parametrize(
    ("name", "head", "kind"),
    [
        ("营业执照.pdf", PDF, "pdf"),
        ("SCAN.PDF", PDF, "pdf"),
        ("photo.jpg", JPEG, "jpeg"),
        ("photo.JPEG", JPEG, "jpeg"),
        ("site.png", PNG, "png"),
        ("C:\\fakepath\\plan.v2.pdf", PDF, "pdf"),
    ],
)
def test_attachment_ok(name, head, kind):
    assert validate_attachment(name, head, 1234, 10 * MB) == kind


@pytest.mark.parametrize(
    ("name", "head", "size", "code"),
    [
        ("a.pdf", PDF, 0, "file_empty"),
        ("a.pdf", b"", 0, "file_empty"),
        ("a.pdf", PDF, 10 * MB + 1, "file_too_large"),
        ("a.pdf", b"MZ\x90\x00", 100, "file_type"),  # an .exe named .pdf
        ("a.gif", b"GIF89a", 100, "file_type"),
        ("a.png", PDF, 100, "file_ext_mismatch"),
        ("a.jpg", PNG, 100, "file_ext_mismatch"),
        ("a.pdf.exe", PDF, 100, "file_ext_mismatch"),
        ("pdf", PDF, 100, "file_ext_mismatch"),  # no extension
        (".pdf", PDF, 100, "file_ext_mismatch"),  # a dotfile, no stem
        ("C:\\x.pdf\\scan", PDF, 100, "file_ext_mismatch"),
    ],
)
def test_attachment_refused(name, head, size, code):
    with fails_with(code):
        validate_attachment(name, head, size, 10 * MB)


def test_attachment_size_limit_is_inclusive_and_reported():
    assert validate_attachment("a.pdf", PDF, 10 * MB, 10 * MB) == "pdf"
    with pytest.raises(ValidationFailure) as info:
        validate_attachment("a.pdf", PDF, 10 * MB + 1, 10 * MB)
    assert info.value.params == {"max_bytes": 10 * MB, "size": 10 * MB + 1}
