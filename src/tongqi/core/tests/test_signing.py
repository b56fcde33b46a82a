"""Tests for tongqi.core.signing (pure: run with ``-p no:django``)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongqi.core import signing
from tongqi.core.signing import (
    SIGNERS,
    HmacSha256Signer,
    HmacSm3Signer,
    SignatureRejected,
    Signer,
    SignerUnavailable,
    body_digest,
    canonical_query,
    canonical_request,
    get_signer,
    sign_request,
    verify_request,
)
from tongqi.core.validators import ValidationFailure

SM3_AVAILABLE = "sm3" in hashlib.algorithms_available
needs_sm3 = pytest.mark.skipif(
    not SM3_AVAILABLE, reason="this Python's hashlib (OpenSSL) does not provide sm3"
)

# ============================================================================================
# The fixed test vector of the integration guide. The signatures were computed with this
# module and cross-checked independently with OpenSSL 3.0 on the command line:
#   printf 'POST\n/api/v1/gov/applications\nchannel=gov\n1767225600\n5f2c1a9e8b7d4c3a\n%s' \
#     "$(printf '%s' '{"enterprise_name":"武汉示例餐饮有限公司"}' | sha256sum | cut -d' ' -f1)" \
#     | openssl dgst -sha256 -hmac demo-secret-0123456789abcdef        (and -sm3 for SM3)

VECTOR = {
    "app_key": "tq-demo-portal",
    "secret": "demo-secret-0123456789abcdef",
    "method": "POST",
    "path": "/api/v1/gov/applications",
    "query": {"channel": "gov"},
    "timestamp": "1767225600",  # 2026-01-01T00:00:00Z
    "nonce": "5f2c1a9e8b7d4c3a",
    "body": '{"enterprise_name":"武汉示例餐饮有限公司"}'.encode(),
}
VECTOR_BODY_SHA256 = "07785ff6c95ffdb128efd7b205376e26bdcaef7e5607c4055ea1cb7478ea7cb2"
VECTOR_CANONICAL = (
    "POST\n"
    "/api/v1/gov/applications\n"
    "channel=gov\n"
    "1767225600\n"
    "5f2c1a9e8b7d4c3a\n"
    "07785ff6c95ffdb128efd7b205376e26bdcaef7e5607c4055ea1cb7478ea7cb2"
)
VECTOR_HMAC_SHA256 = "fd3c7e18910962081d2d8199a4b173671d8036babfba318d21cf9fb56968ba4b"
VECTOR_HMAC_SM3 = "920cda561e8d8fad5b674aa1048e8b38be38b1ca3e0f0c45b37557c4c2fdd70f"
VECTOR_NOW = datetime(2026, 1, 1, 8, 2, tzinfo=timezone(timedelta(hours=8)))  # ts + 120 s


def _request(**changes):
    fields = {k: v for k, v in VECTOR.items() if k != "app_key"}
    fields.update(changes)
    return fields


def test_vector_canonical_request():
    assert body_digest(VECTOR["body"]) == VECTOR_BODY_SHA256
    canonical = canonical_request(
        VECTOR["method"],
        VECTOR["path"],
        VECTOR["query"],
        VECTOR["timestamp"],
        VECTOR["nonce"],
        VECTOR["body"],
    )
    assert canonical == VECTOR_CANONICAL


def test_vector_hmac_sha256():
    assert sign_request(**_request()) == VECTOR_HMAC_SHA256
    assert sign_request(**_request(algorithm="HMAC-SHA256")) == VECTOR_HMAC_SHA256
    verify_request(**_request(), signature=VECTOR_HMAC_SHA256, now=VECTOR_NOW)


@needs_sm3
def test_vector_hmac_sm3():
    assert sign_request(**_request(algorithm="HMAC-SM3")) == VECTOR_HMAC_SM3
    verify_request(**_request(), signature=VECTOR_HMAC_SM3, now=VECTOR_NOW, algorithm="HMAC-SM3")
    with pytest.raises(SignatureRejected) as info:  # the SHA-256 signature is not an SM3 one
        verify_request(
            **_request(), signature=VECTOR_HMAC_SHA256, now=VECTOR_NOW, algorithm="HMAC-SM3"
        )
    assert info.value.code == "bad_signature"


# ============================================================================================
# Signers


def test_hmac_sha256_rfc4231_case_2():
    signer = HmacSha256Signer()
    mac = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert signer.sign(b"Jefe", b"what do ya want for nothing?") == mac
    assert signer.verify(b"Jefe", b"what do ya want for nothing?", mac)
    assert signer.verify(b"Jefe", b"what do ya want for nothing?", mac.upper())


@needs_sm3
def test_sm3_known_answers():
    # SM3("abc") is the example of GB/T 32905-2016; the HMAC value was checked against
    # `openssl dgst -sm3 -hmac TestSecret` and the hmac-sm3 Rust crate's README
    assert hashlib.new("sm3", b"abc").hexdigest() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    assert HmacSm3Signer().sign(b"TestSecret", b"Hello World") == (
        "9d91da552268ddf11b9f69662773a66c6375b250336dfb9293e7e2611c36d79f"
    )


def test_sm3_signer_refuses_to_start_without_sm3(monkeypatch):
    monkeypatch.setattr(signing.hashlib, "algorithms_available", frozenset({"sha256"}))
    with pytest.raises(SignerUnavailable, match="sm3"):
        HmacSm3Signer()
    with pytest.raises(SignerUnavailable):
        get_signer("HMAC-SM3")


@pytest.mark.parametrize(
    "junk",
    ["", "zz", "fd3c", VECTOR_HMAC_SHA256 + "00", "é" * 64, None, 12, b"fd3c"],
)
def test_verify_is_false_for_junk_not_an_error(junk):
    assert HmacSha256Signer().verify(b"k", b"m", junk) is False


def test_registry():
    assert set(SIGNERS) >= {"HMAC-SHA256", "HMAC-SM3"}
    signer = get_signer("HMAC-SHA256")
    assert isinstance(signer, Signer)
    assert signer.name == "HMAC-SHA256"
    with pytest.raises(SignatureRejected) as info:
        get_signer("HMAC-MD5")
    assert info.value.code == "bad_algorithm"


@needs_sm3
def test_sm3_signer_is_a_signer():
    signer = get_signer("HMAC-SM3")
    assert isinstance(signer, Signer)
    assert signer.name == "HMAC-SM3"


# ============================================================================================
# Canonical request


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (None, ""),
        ({}, ""),
        ([], ""),
        ({"b": "2", "a": "1"}, "a=1&b=2"),
        ({"a": ["y z", "x"]}, "a=x&a=y%20z"),  # space is %20, never +
        ([("k", "2"), ("k", "10"), ("j", "")], "j=&k=10&k=2"),  # sorted as strings
        ({"name": "武汉"}, "name=%E6%AD%A6%E6%B1%89"),  # UTF-8, upper-case hex
        ({"x": "a+b&c=d/e?f"}, "x=a%2Bb%26c%3Dd%2Fe%3Ff"),
        ({"u": "AZaz09-._~"}, "u=AZaz09-._~"),  # unreserved stay literal
        ({"*": "!'()"}, "%2A=%21%27%28%29"),  # sub-delims are encoded
        ({"B": "1", "a": "1"}, "B=1&a=1"),  # byte order: upper case first
    ],
)
def test_canonical_query(query, expected):
    assert canonical_query(query) == expected


class _QueryDictLike(dict):
    """Shaped like Django's QueryDict: ``q[k]`` is the last value, ``lists()`` all of them."""

    def __getitem__(self, key):
        return super().__getitem__(key)[-1]

    def items(self):
        return ((k, self[k]) for k in self)

    def lists(self):
        return list(dict.items(self))


def test_canonical_query_reads_every_value_of_a_querydict():
    q = _QueryDictLike({"page": ["2"], "status": ["accepted", "submitted"]})
    assert canonical_query(q) == "page=2&status=accepted&status=submitted"


def test_canonical_query_refuses_non_strings():
    with pytest.raises(TypeError):
        canonical_query({"page": 2})


@pytest.mark.parametrize(
    ("path", "canonical_path"),
    [
        ("/api/v1/gov/applications", "/api/v1/gov/applications"),
        ("", "/"),
        ("/a b", "/a%20b"),
        ("/a%20b", "/a%20b"),
        ("/申请/1", "/%E7%94%B3%E8%AF%B7/1"),
        ("/%e7%94%b3%e8%af%b7/1", "/%E7%94%B3%E8%AF%B7/1"),  # hex case normalised
        ("/bad%FFbyte", "/bad%FFbyte"),  # not UTF-8: round-trips, does not crash
    ],
)
def test_canonical_path(path, canonical_path):
    lines = canonical_request("get", path, None, "1", "n" * 16, b"").split("\n")
    assert lines[0] == "GET"
    assert lines[1] == canonical_path


def test_get_without_body_hashes_the_empty_string():
    canonical = canonical_request("GET", "/api/v1/gov/applications/42", None, "1", "n" * 16, b"")
    assert canonical.split("\n") == [
        "GET",
        "/api/v1/gov/applications/42",
        "",
        "1",
        "n" * 16,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ]


def test_body_must_be_bytes():
    with pytest.raises(TypeError):
        canonical_request("POST", "/", None, "1", "n" * 16, '{"a": 1}')


# ============================================================================================
# verify_request: codes and order


def _rejected(code, **changes):
    request = _request()
    kwargs = {"signature": VECTOR_HMAC_SHA256, "now": VECTOR_NOW}
    for key, value in changes.items():
        (kwargs if key in {"signature", "now", "max_skew", "algorithm"} else request)[key] = value
    with pytest.raises(SignatureRejected) as info:
        verify_request(**request, **kwargs)
    assert info.value.code == code
    assert isinstance(info.value, ValidationFailure)
    assert info.value.message
    return info.value


@pytest.mark.parametrize(
    "timestamp",
    ["", "abc", "1767225600.0", "-1767225600", "+1767225600", " 1767225600", "1767225600\n",
     "١٧٦٧٢٢٥٦٠٠", "1" * 13, None, 1767225600],
)  # fmt: skip
def test_bad_timestamp(timestamp):
    _rejected("bad_timestamp", timestamp=timestamp)


@pytest.mark.parametrize(
    "nonce",
    ["", "short", "a" * 15, "a" * 65, "5f2c1a9e 8b7d4c3a", "5f2c1a9e8b7d4c3a\n",
     "5f2c1a9e8b7d4c3a!", "５f2c1a9e8b7d4c3a", None],
)  # fmt: skip
def test_bad_nonce(nonce):
    _rejected("bad_nonce", nonce=nonce)


def test_nonce_shape_bounds_accepted():
    for nonce in ("a" * 16, "Z_-9" * 16):
        sig = sign_request(**_request(nonce=nonce))
        verify_request(**_request(nonce=nonce), signature=sig, now=VECTOR_NOW)


def test_stale_both_directions_and_the_boundary():
    ts = datetime.fromtimestamp(1767225600, UTC)
    verify_request(**_request(), signature=VECTOR_HMAC_SHA256, now=ts + timedelta(seconds=300))
    verify_request(**_request(), signature=VECTOR_HMAC_SHA256, now=ts - timedelta(seconds=300))
    late = _rejected("stale", now=ts + timedelta(seconds=301))
    assert late.params == {"skew_seconds": 301, "max_skew": 300}
    _rejected("stale", now=ts - timedelta(seconds=301))  # a client clock far ahead
    _rejected("stale", now=ts + timedelta(days=1))
    verify_request(
        **_request(), signature=VECTOR_HMAC_SHA256, now=ts + timedelta(seconds=900), max_skew=900
    )


def test_naive_now_is_a_programming_error():
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_request(
            **_request(),
            signature=VECTOR_HMAC_SHA256,
            now=datetime(2026, 1, 1),  # noqa: DTZ001 - the point of the test
        )


@pytest.mark.parametrize(
    "change",
    [
        {"method": "PUT"},
        {"path": "/api/v1/gov/applications/1"},
        {"query": {"channel": "web"}},
        {"query": {"channel": "gov", "x": "1"}},
        {"query": None},
        {"body": VECTOR["body"] + b" "},
        {"body": b""},
        {"nonce": "5f2c1a9e8b7d4c3b"},
        {"timestamp": "1767225601"},
        {"secret": "demo-secret-0123456789abcdeF"},
    ],
)
def test_any_change_breaks_the_signature(change):
    _rejected("bad_signature", **change)


def test_wrong_signature_and_unknown_algorithm():
    _rejected("bad_signature", signature="0" * 64)
    _rejected("bad_signature", signature="not hex at all")
    _rejected("bad_algorithm", algorithm="HMAC-SHA1")


def test_method_case_and_secret_type_do_not_matter():
    verify_request(
        **_request(method="post", secret=b"demo-secret-0123456789abcdef"),
        signature=VECTOR_HMAC_SHA256.upper(),
        now=VECTOR_NOW,
    )


def test_sign_request_checks_shapes_too():
    with pytest.raises(SignatureRejected) as info:
        sign_request(**_request(nonce="bad"))
    assert info.value.code == "bad_nonce"
    with pytest.raises(SignatureRejected) as info:
        sign_request(**_request(timestamp="soon"))
    assert info.value.code == "bad_timestamp"


def test_unencodable_query_is_a_bad_signature_not_a_crash():
    _rejected("bad_signature", query={"q": "\ud800"})


_text = st.text(st.characters(codec="utf-8"), max_size=20)


@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    path=st.from_regex(r"/[a-z0-9/_-]{0,30}", fullmatch=True),
    query=st.lists(st.tuples(_text, _text), max_size=5),
    body=st.binary(max_size=200),
    nonce=st.from_regex(r"[A-Za-z0-9_-]{16,64}", fullmatch=True),
    secret=st.binary(min_size=1, max_size=64),
    skew=st.integers(-300, 300),
    algorithm=st.sampled_from(["HMAC-SHA256", "HMAC-SM3"] if SM3_AVAILABLE else ["HMAC-SHA256"]),
)
def test_sign_then_verify_round_trips(method, path, query, body, nonce, secret, skew, algorithm):
    ts = 1767225600
    request = {
        "secret": secret,
        "method": method,
        "path": path,
        "query": query,
        "timestamp": str(ts),
        "nonce": nonce,
        "body": body,
        "algorithm": algorithm,
    }
    signature = sign_request(**request)
    assert len(signature) == 64
    now = datetime.fromtimestamp(ts + skew, UTC)
    verify_request(**request, signature=signature, now=now)
    # the query's order does not matter, its content does
    verify_request(**{**request, "query": list(reversed(query))}, signature=signature, now=now)
    with pytest.raises(SignatureRejected):
        verify_request(**{**request, "body": body + b"\x00"}, signature=signature, now=now)
