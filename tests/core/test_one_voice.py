"""One voice in errors (issue 26.8): every error of every kind, from the pipeline, DRF, Django or
a service, is compact JSON in the sourcehut shape, and every reason reads alike: lower case
first, no closing period, a field's reason naming the field."""

from __future__ import annotations

import dataclasses
import json

import orjson
import pytest

from core.errors import in_one_voice

pytestmark = pytest.mark.django_db


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    method: str
    path: str
    status: int
    reason: str  # the whole reason of the first error, or its start when it ends with "..."
    field: str | None = None
    body: bytes = b""
    content_type: str = "application/json"
    credential: str = "full"  # full, none, bad, narrow (repos:read only)
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


def body(**values: object) -> bytes:
    return json.dumps(values).encode()


CASES = [
    Case("unknown-route", "GET", "/api/v1/no-such-route", 404, "not found"),
    Case("unknown-sub-route", "GET", "/api/v1/keys/1/nope", 404, "not found"),
    Case("unknown-route-anonymous", "GET", "/api/v1/nope/", 404, "not found", credential="none"),
    Case("unknown-method", "DELETE", "/api/v1/version", 405, "method DELETE not allowed"),
    Case("unknown-method-on-a-list", "PATCH", "/api/v1/repos", 405, "method PATCH not allowed"),
    Case("malformed-id", "GET", "/api/v1/keys/abc", 400, "id must be an integer from 0 to...", field="id"),
    Case("absent-id", "GET", "/api/v1/keys/999999", 404, "not found"),
    Case("absent-repository", "GET", "/api/v1/repos/nope", 404, "not found"),
    Case("absent-user", "GET", "/api/v1/user/~nobody", 404, "not found"),
    Case("absent-ssh-key", "DELETE", "/api/v1/user/ssh-keys/999999", 404, "not found"),
    Case("absent-readme", "GET", "/api/v1/repos/nope/readme", 404, "not found"),
    Case("required-fields", "POST", "/api/v1/keys", 400, "name is required", field="name", body=body()),
    Case("not-a-choice", "POST", "/api/v1/keys", 400, "scopes must be one of *, profile:read...", field="scopes.0",
         body=body(name="k", scopes=["secret"])),
    Case("not-a-visibility", "POST", "/api/v1/repos", 400, "visibility must be one of public, unlisted, private...",
         field="visibility", body=body(name="r", visibility="secret")),
    Case("not-a-date", "POST", "/api/v1/keys", 400, "expires must be an RFC 3339 date-time...", field="expires",
         body=body(name="k", scopes=["repos:read"], expires="soon")),
    Case("too-long", "POST", "/api/v1/repos", 400, "name must have at most 256 characters", field="name",
         body=body(name="r" * 300)),
    Case("not-a-list", "POST", "/api/v1/keys", 400, "scopes must be a list, not str", field="scopes",
         body=body(name="k", scopes="repos:read")),
    Case("not-an-object", "POST", "/api/v1/repos", 400, "the body must be a JSON object, not list", body=b"[]"),
    Case("malformed-json", "POST", "/api/v1/repos", 400, "malformed JSON: ...", body=b"{"),
    Case("no-credential", "GET", "/api/v1/keys", 401, "authentication required: ...", credential="none"),
    Case("bad-credential", "GET", "/api/v1/keys", 401, "malformed API key", credential="bad"),
    Case("missing-scope", "GET", "/api/v1/keys", 403, "this credential lacks the apikeys:read scope",
         credential="narrow"),
    Case("not-acceptable", "GET", "/api/v1/repos", 406, "no acceptable representation; ...",
         headers={"HTTP_ACCEPT": "image/png"}),
    Case("too-large", "POST", "/api/v1/repos", 413, "request body too large", body=body(name="r" * 4000)),
    Case("unsupported-media-type", "POST", "/api/v1/repos", 415, "unsupported media type; send application/json",
         body=b"name=r", content_type="text/plain"),
    Case("rate-limited", "POST", "/api/v1/authenticate", 429, "rate limit exceeded for authenticate; ...",
         body=body(apiKey="nope"), credential="none"),
]  # fmt: skip


@pytest.fixture
def credentials(make_key):
    return {
        "full": {"HTTP_AUTHORIZATION": f"token {make_key().secret}"},
        "narrow": {"HTTP_AUTHORIZATION": f"token {make_key(scopes=['repos:read']).secret}"},
        "bad": {"HTTP_AUTHORIZATION": "Bearer apisvc_nope_nope"},
        "none": {},
    }


def assert_one_voice(response) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("application/json")
    document = response.json()
    assert response.content == orjson.dumps(document), "compact JSON, as every answer of the API"
    assert set(document) == {"errors"} and document["errors"]
    for error in document["errors"]:
        assert set(error) <= {"field", "reason"}
        assert in_one_voice(error["reason"]) == error["reason"], error["reason"]
        if "field" in error:
            assert error["reason"].startswith(error["field"].split(".")[0]), error
    return document["errors"]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_every_error_speaks_with_one_voice(case, api_client, credentials, rate_limits, settings):
    rate_limits(authenticate="1/3600+0")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    send = dict(**credentials[case.credential], **case.headers)
    if case.id == "rate-limited":
        api_client.generic(case.method, case.path, case.body, content_type=case.content_type, **send)
    response = api_client.generic(case.method, case.path, case.body, content_type=case.content_type, **send)
    assert response.status_code == case.status, response.content
    first = assert_one_voice(response)[0]
    if case.reason.endswith("..."):
        assert first["reason"].startswith(case.reason.removesuffix("...")), first
    else:
        assert first["reason"] == case.reason, first
    assert first.get("field") == case.field


@pytest.mark.parametrize(
    ("text", "voiced"),
    [("Not found.", "not found"), ("JSON parse error", "JSON parse error"), ("URL must be absolute.", "URL must be absolute"),
     ("name is required", "name is required"), ('"x" is not valid.', '"x" is not valid'), ("wait...", "wait...")],
)  # fmt: skip
def test_in_one_voice(text, voiced):
    assert in_one_voice(text) == voiced


def test_drfs_stock_messages_are_reworded_in_one_place():
    from rest_framework import serializers

    from core.errors import flatten

    class Sample(serializers.Serializer):
        n = serializers.IntegerField(max_value=5)
        b = serializers.BooleanField()
        u = serializers.URLField()
        items = serializers.ListField(child=serializers.CharField(), allow_empty=False)
        s = serializers.CharField(max_length=3)
        t = serializers.CharField()

    sample = Sample(data={"n": 9, "b": "x", "u": "nope", "items": [], "s": "abcd", "t": "a\x00"})
    assert not sample.is_valid()
    assert {error["field"]: error["reason"] for error in flatten(sample.errors)} == {
        "n": "n must be at most 5",
        "b": "b must be a boolean",
        "u": "u must be a valid URL",
        "items": "items may not be empty",
        "s": "s must have at most 3 characters",
        "t": "t may not contain null characters",
    }
