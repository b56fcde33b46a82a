"""Licence sharing (证照共享, SPEC §10): enterprise data looked up by USCC instead of uploaded.

One interface, :class:`LicenceProvider`, chosen by ``TONGQI_LICENCE_PROVIDER``:

- ``fake``: :class:`FakeLicenceProvider`, deterministic demo data for any valid USCC (development,
  the demo, tests; never the default in production);
- ``http``: :class:`HttpLicenceProvider`, a JSON web service configured by ``TONGQI_LICENCE_URL``,
  ``TONGQI_LICENCE_TOKEN`` and ``TONGQI_LICENCE_TIMEOUT``;
- ``none``: no lookup at all (the applicant types the data);
- or the dotted path of any class with the same ``lookup`` method.

``lookup(uscc)`` returns an :class:`EnterpriseRecord`, ``None`` when the registry does not know
the code, or raises :class:`LicenceUnavailable` on an outage, a timeout or a malformed answer:
then the application form simply lets the user type the data (``selectors.licence_lookup``).

The HTTP provider GETs ``TONGQI_LICENCE_URL`` with ``{uscc}`` replaced (or ``?uscc=`` appended),
``Authorization: Bearer <token>`` and ``Accept: application/json``; 404 means unknown; a 200
answer is a JSON object (optionally wrapped as ``{"data": {...}}``) with these keys, of which
only ``name`` is required::

    uscc, name, legal_representative, address, enterprise_type, registered_capital,
    established_on (YYYY-MM-DD), business_scope, status
"""

from __future__ import annotations

import hashlib
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from functools import cache
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("tongqi.integration.licence")


@dataclass(frozen=True)
class EnterpriseRecord:
    """An enterprise as the registry (营业执照) knows it."""

    uscc: str
    name: str
    legal_representative: str = ""
    address: str = ""
    enterprise_type: str = ""
    registered_capital: str = ""
    established_on: date | None = None
    business_scope: str = ""
    status: str = ""
    source: str = ""

    def as_dict(self) -> dict:
        d = asdict(self)
        d["established_on"] = self.established_on.isoformat() if self.established_on else None
        return d


class LicenceUnavailable(Exception):
    """The licence service could not answer (outage, timeout, malformed answer)."""


@runtime_checkable
class LicenceProvider(Protocol):
    name: str

    def lookup(self, uscc: str) -> EnterpriseRecord | None: ...


class NoLicenceProvider:
    """Licence sharing switched off: every lookup is unavailable, the user types the data."""

    name = "none"

    def lookup(self, uscc: str) -> EnterpriseRecord | None:
        raise LicenceUnavailable("licence sharing is not configured")


# A few named enterprises for the demo (their codes carry valid GB 32100 check characters).
NAMED = {
    "91420106MA4K00CF5J": EnterpriseRecord(
        uscc="91420106MA4K00CF5J",
        name="武汉示例餐饮有限公司",
        legal_representative="王建国",
        address="湖北省武汉市武昌区中北路 88 号",
        enterprise_type="有限责任公司（自然人投资或控股）",
        registered_capital="200 万元人民币",
        established_on=date(2019, 6, 18),
        business_scope="餐饮服务；食品销售",
        status="存续",
    ),
    "91420100177682316H": EnterpriseRecord(
        uscc="91420100177682316H",
        name="武汉江城锅炉供暖有限公司",
        legal_representative="李红梅",
        address="湖北省武汉市江岸区解放大道 1234 号",
        enterprise_type="有限责任公司",
        registered_capital="1,000 万元人民币",
        established_on=date(2008, 3, 2),
        business_scope="供暖服务；锅炉安装、维修",
        status="存续",
    ),
}

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = ["建华", "志强", "秀英", "海燕", "国庆", "丽娟", "文博", "晓东", "春梅", "子涵"]
_TRADES = [
    ("餐饮", "餐饮服务；食品销售"),
    ("食品", "食品生产；食品销售"),
    ("酒店管理", "住宿服务；餐饮服务"),
    ("热力", "供暖服务；热力生产和供应"),
    ("精密制造", "通用设备制造；金属制品加工"),
    ("烘焙", "糕点、面包制造；食品销售"),
]
_DISTRICTS = ["江岸区", "江汉区", "硚口区", "汉阳区", "武昌区", "青山区", "洪山区", "东西湖区"]
_WORDS = ["楚天", "汉江", "晴川", "东湖", "长江", "黄鹤", "知音", "光谷", "汉正", "琴台"]


class FakeLicenceProvider:
    """Deterministic, invented data for any syntactically valid USCC (demo and tests).

    The same code always gives the same enterprise; a code whose body ends in ``0000`` is
    "unknown" (``None``) and one ending in ``9999`` fails as an outage, so both paths of the
    form can be tried in the demo.
    """

    name = "fake"

    def lookup(self, uscc: str) -> EnterpriseRecord | None:
        uscc = uscc.strip().upper()
        if uscc in NAMED:
            return replace(NAMED[uscc], source=self.name)
        body = uscc[8:17]
        if body.endswith("0000"):
            return None
        if body.endswith("9999"):
            raise LicenceUnavailable("the fake licence service is 'down' for codes ending 9999")
        h = hashlib.sha256(uscc.encode()).digest()
        trade, scope = _TRADES[h[0] % len(_TRADES)]
        district = _DISTRICTS[h[1] % len(_DISTRICTS)]
        return EnterpriseRecord(
            uscc=uscc,
            name=f"武汉{_WORDS[h[2] % len(_WORDS)]}{trade}有限公司",
            legal_representative=_SURNAMES[h[3] % len(_SURNAMES)] + _GIVEN[h[4] % len(_GIVEN)],
            address=f"湖北省武汉市{district}示范路 {10 + h[5] % 890} 号",
            enterprise_type="有限责任公司",
            registered_capital=f"{50 + (h[6] % 20) * 50} 万元人民币",
            established_on=date(2005, 1, 1) + timedelta(days=int.from_bytes(h[7:9]) % 7000),
            business_scope=scope,
            status="存续",
            source=self.name,
        )


class HttpLicenceProvider:
    """The utility's licence-sharing gateway (or the government data-sharing platform)."""

    name = "http"

    def __init__(self, url: str = "", token: str = "", timeout: float = 5.0) -> None:
        conf = getattr(settings, "TONGQI_LICENCE_HTTP", {}) or {}
        self.url = url or conf.get("url", "")
        self.token = token or conf.get("token", "")
        self.timeout = float(timeout or conf.get("timeout", 5.0))
        if not self.url:
            raise ValueError("HttpLicenceProvider needs a URL (TONGQI_LICENCE_URL)")

    def _url_for(self, uscc: str) -> str:
        code = urllib.parse.quote(uscc, safe="")
        if "{uscc}" in self.url:
            return self.url.replace("{uscc}", code)
        joiner = "&" if "?" in self.url else "?"
        return f"{self.url}{joiner}uscc={code}"

    def lookup(self, uscc: str) -> EnterpriseRecord | None:
        headers = {"Accept": "application/json", "User-Agent": "TongQi-Licence/1"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self._url_for(uscc), headers=headers, method="GET")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310
                raw = resp.read(1_000_000)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 404:
                return None
            raise LicenceUnavailable(f"licence service answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise LicenceUnavailable(f"licence service unreachable: {exc}") from exc
        try:
            data = json.loads(raw.decode("utf-8"))
            if isinstance(data, dict) and isinstance(data.get("data"), dict):
                data = data["data"]
            if not isinstance(data, dict) or not str(data.get("name") or "").strip():
                raise ValueError("no enterprise name in the answer")
            established = data.get("established_on") or None
            return EnterpriseRecord(
                uscc=str(data.get("uscc") or uscc).strip().upper(),
                name=str(data["name"]).strip()[:200],
                legal_representative=str(data.get("legal_representative") or "")[:60],
                address=str(data.get("address") or "")[:300],
                enterprise_type=str(data.get("enterprise_type") or "")[:100],
                registered_capital=str(data.get("registered_capital") or "")[:60],
                established_on=date.fromisoformat(established) if established else None,
                business_scope=str(data.get("business_scope") or "")[:1000],
                status=str(data.get("status") or "")[:30],
                source=self.name,
            )
        except (ValueError, TypeError, UnicodeDecodeError) as exc:
            raise LicenceUnavailable(f"licence service gave a malformed answer: {exc}") from exc


PROVIDERS = {"fake": FakeLicenceProvider, "http": HttpLicenceProvider, "none": NoLicenceProvider}


@cache
def _provider(name: str) -> LicenceProvider:
    factory = PROVIDERS.get(name) or import_string(name)
    return factory()


def get_provider() -> LicenceProvider:
    """The provider named by ``TONGQI_LICENCE_PROVIDER`` (built once per process)."""
    return _provider(getattr(settings, "TONGQI_LICENCE_PROVIDER", "fake") or "none")
