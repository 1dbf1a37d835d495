"""The JavaScript verification snippet of docs/webhooks.md, run with Node against real signatures."""

import base64
import json
import re
import shutil
import subprocess
import time

import pytest

from tests.webhooks.conftest import DOCS
from webhooks.signing import generate_signing_key, parse_signing_keys, signature_headers

HARNESS = """
const { verifySourcehut, verifyStandard } = require(process.argv[2]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const headers = Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v]));
const body = Buffer.from(input.body, "base64");
console.log(JSON.stringify([verifySourcehut(headers, body, input.keys), verifyStandard(headers, body, input.keys),
  verifySourcehut(headers, Buffer.concat([body, Buffer.from(" ")]), input.keys)]));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed on this machine")
def test_the_javascript_snippet_verifies_both_header_sets(tmp_path):
    match = re.search(r"## Verifying in JavaScript.*?```javascript\n(.*?)```", DOCS.read_text(), re.S)
    assert match is not None
    block = match.group(1)
    module = tmp_path / "verify.js"
    module.write_text(block)
    (tmp_path / "harness.js").write_text(HARNESS)
    keys = parse_signing_keys(generate_signing_key("k1"))
    body = b'{"event":"repo:create","payload":{"id":1}}'
    headers = signature_headers(
        keys=keys, delivery_id="d-1", event="repo:create", body=body, timestamp=int(time.time())
    )
    payload = {"headers": headers, "body": base64.b64encode(body).decode(), "keys": [keys[0].public_key_b64]}
    result = subprocess.run(
        ["node", str(tmp_path / "harness.js"), str(module)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [True, True, False]
