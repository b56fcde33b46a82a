"""Schemathesis hooks for tools/api_fuzz.py: sign requests to the portal channel (/gov/) with
the demo client's app key and secret, exactly as a real portal would, so the fuzzer gets past
the signature and exercises the operations behind it. Loaded through SCHEMATHESIS_HOOKS."""

import os
import time
import uuid
from urllib.parse import parse_qsl, urlsplit

import requests
import schemathesis

from tongqi.core import signing

APP_KEY = os.environ.get("TONGQI_FUZZ_APP_KEY", "")
SECRET = os.environ.get("TONGQI_FUZZ_SECRET", "")


class PortalSigner(requests.auth.AuthBase):
    """Signs the prepared request (final URL and body bytes) with tongqi.core.signing."""

    def __call__(self, r):
        parts = urlsplit(r.url)
        body = r.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        timestamp, nonce = str(int(time.time())), uuid.uuid4().hex
        signature = signing.sign_request(
            secret=SECRET,
            method=r.method,
            path=parts.path,
            query=parse_qsl(parts.query, keep_blank_values=True),
            timestamp=timestamp,
            nonce=nonce,
            body=bytes(body),
        )
        r.headers.update(
            {
                "X-TQ-AppKey": APP_KEY,
                "X-TQ-Timestamp": timestamp,
                "X-TQ-Nonce": nonce,
                "X-TQ-Signature": signature,
                "X-TQ-Signature-Method": signing.DEFAULT_ALGORITHM,
            }
        )
        return r


@schemathesis.hook
def before_call(context, case, kwargs):
    if APP_KEY and SECRET and "/gov/" in case.path:
        kwargs["auth"] = PortalSigner()
