"""The integration guide's worked example is exactly what the server computes and accepts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import tongqi
from tongqi.core import signing

GUIDE = Path(tongqi.__file__).resolve().parents[2] / "docs" / "guides" / "integration.md"
pytestmark = pytest.mark.skipif(not GUIDE.exists(), reason="the docs are not shipped here")


def _published(label: str) -> str:
    text = GUIDE.read_text(encoding="utf-8")
    return re.search(rf"{label}：`([0-9a-f]{{64}})`", text).group(1)


@pytest.mark.parametrize(
    ("label", "algorithm"), [("HMAC-SHA256", "HMAC-SHA256"), ("HMAC-SM3", "HMAC-SM3")]
)
def test_published_signatures_are_what_the_server_computes(label, algorithm):
    try:
        expected = signing.sign_request(
            secret="demo-secret-0123456789abcdef",
            method="POST",
            path="/api/v1/gov/applications",
            query={"channel": "gov"},
            timestamp="1767225600",
            nonce="5f2c1a9e8b7d4c3a",
            body='{"enterprise_name":"武汉示例餐饮有限公司"}'.encode(),
            algorithm=algorithm,
        )
    except signing.SignerUnavailable:
        pytest.skip("no SM3 in this OpenSSL")
    assert _published(label) == expected


def test_the_guides_python_snippet_reproduces_the_signature(capsys):
    text = GUIDE.read_text(encoding="utf-8")
    snippet = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    exec(compile(snippet, str(GUIDE), "exec"), {})  # noqa: S102 - our own documentation
    assert capsys.readouterr().out.strip() == _published("HMAC-SHA256")
