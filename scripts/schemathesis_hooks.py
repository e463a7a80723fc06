"""Schemathesis hooks for `scripts/openapi-fuzz.sh`: sign every generated request.

Schemathesis builds requests from `docs/openapi.json`; unsigned, the emulator would refuse
them all at authentication and the handlers would never be exercised. So every request is
signed just before it is sent, over the exact bytes that go out (method, path and query as
sent, Content-Type, Host with its port, body), by the project's own signer: `vod debug-sign`
(the same `vod_client::signer::sign` the client uses). The signer is not reimplemented here.

A per-operation tally of the answers (accepted with code 200, refused with a service code,
HTTP status) is printed when schemathesis exits, to show how many generated requests reached
an operation's success path.

Environment (set by the script):
  VOD_FUZZ_VOD_BIN      path of the `vod` binary (feature `cli`)
  VOD_FUZZ_ACCESS_KEY   access key the emulator accepts
  VOD_FUZZ_SECRET_KEY   its secret key
  VOD_FUZZ_TALLY        optional file to write the tally to (JSON)
"""

import atexit
import collections
import json
import os
import subprocess
import sys
import time
from urllib.parse import urlsplit

import requests
import schemathesis

VOD_BIN = os.environ.get("VOD_FUZZ_VOD_BIN", "vod")
ACCESS_KEY = os.environ.get("VOD_FUZZ_ACCESS_KEY", "DEMO_ACCESS_KEY")
SECRET_KEY = os.environ.get("VOD_FUZZ_SECRET_KEY", "DEMO_SECRET_KEY")
TALLY_FILE = os.environ.get("VOD_FUZZ_TALLY")

# operationId -> Counter of outcome words ("code 200", "code 1000", "http 415", ...)
TALLY = collections.defaultdict(collections.Counter)


def _host(url):
    """The Host header urllib3 sends: host, plus the port unless it is the scheme's default."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None and parts.port != default:
        host = f"{host}:{parts.port}"
    return host


def _body_text(body):
    if body is None:
        return ""
    if isinstance(body, bytes):
        # The signer takes UTF-8 text; schemathesis sends JSON (ASCII) or form text here.
        return body.decode("utf-8")
    return body


class VodSigner(requests.auth.AuthBase):
    """Adds X-WS-AccessKey, X-WS-Timestamp and Authorization as signed by `vod debug-sign`."""

    def __call__(self, request):
        timestamp = str(int(time.time()))
        signing_input = {
            "method": request.method,
            "uri": request.path_url,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "timestamp": timestamp,
            "headers": {
                "content-type": request.headers.get("Content-Type", ""),
                "host": _host(request.url),
            },
            "body": _body_text(request.body),
        }
        done = subprocess.run(
            [VOD_BIN, "debug-sign"],
            input=json.dumps(signing_input).encode(),
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"vod debug-sign failed: {done.stderr.decode(errors='replace')}")
        signed = json.loads(done.stdout)
        request.headers["X-WS-AccessKey"] = ACCESS_KEY
        request.headers["X-WS-Timestamp"] = timestamp
        request.headers["Authorization"] = signed["authorization"]
        return request


SIGNER = VodSigner()


@schemathesis.hook
def process_call_kwargs(context, case, kwargs):
    kwargs["auth"] = SIGNER


@schemathesis.hook
def after_call(context, case, response):
    outcome = f"http {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "code" in body:
        outcome = f"http {response.status_code} code {body['code']}"
    elif response.status_code == 200:
        outcome = "http 200 bare"
    TALLY[case.operation.definition.raw.get("operationId", case.operation.verbose_name)][
        outcome
    ] += 1


@atexit.register
def _report():
    if not TALLY:
        return
    summary = {op: dict(counts.most_common()) for op, counts in sorted(TALLY.items())}
    if TALLY_FILE:
        with open(TALLY_FILE, "w", encoding="utf-8") as out:
            json.dump(summary, out, indent=1, sort_keys=True)
    total = sum(sum(c.values()) for c in TALLY.values())
    accepted = sum(
        n
        for counts in TALLY.values()
        for outcome, n in counts.items()
        if outcome in ("http 200 code 200", "http 200 bare")
    )
    print(
        f"\nvod fuzz tally: {total} answers, {accepted} successful "
        f"({len(TALLY)} operations; per operation in {TALLY_FILE or 'VOD_FUZZ_TALLY'})",
        file=sys.stderr,
    )
