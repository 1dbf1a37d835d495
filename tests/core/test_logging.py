"""Logs: JSON or timestamped text, the request's fields on its access line, never a credential."""

import io
import json
import logging
import sys
import time
from typing import Any

import pytest
import requests

from core.context import request_scope
from core.logging import TEXT_FORMAT, JsonFormatter, MaskSecretsFilter, RoutineTaskFilter, TextFormatter
from core.requestid import RequestIdFilter

PUMP = "webhooks.tasks.deliveries_pump_task"
SWEEP = "{'sweep': True}"  # the kwargs of beat's runs, as Celery's log lines carry them


def emit(formatter, *records_args, **extra):
    """Log one line through a handler set up like the console one; return what it wrote."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(MaskSecretsFilter())
    handler.setFormatter(formatter)
    logger = logging.getLogger("test.logging")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(*records_args, extra=extra)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    return stream.getvalue()


def test_a_json_line_has_the_documented_fields():
    with request_scope("json-1"):
        line = emit(JsonFormatter("%(levelname)s %(name)s %(message)s %(request_id)s"), "hello %s", "world", status=201)
    record = json.loads(line)
    assert record["message"] == "hello world" and record["level"] == "WARNING" and record["logger"] == "test.logging"
    assert record["request_id"] == "json-1" and record["status"] == 201 and record["timestamp"].startswith("20")


def test_credentials_are_masked_in_json_fields_and_messages():
    key, token = "apisvc_abcdef_0123456789secret", "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoxfQ.c2lnbmF0dXJlc2VjcmV0"
    line = emit(
        JsonFormatter("%(levelname)s %(name)s %(message)s %(request_id)s"),
        "GET /api/v1/authenticate?apiKey=%s with Bearer %s", key, token,
        url=f"/api/v1/authenticate?apiKey={key}", authorization=f"Bearer {token}",
    )  # fmt: skip
    assert "0123456789secret" not in line and token not in line and "c2lnbmF0dXJl" not in line
    record = json.loads(line)
    assert record["url"] == "/api/v1/authenticate?apiKey=***" and record["authorization"] == "Bearer ***"


def test_a_text_line_is_timestamped_and_masked():
    fmt = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
    line = emit(TextFormatter(fmt), "token %s", "apisvc_abcdef_0123456789secret")
    assert "0123456789secret" not in line and line.rstrip().endswith("[-] token ***")
    assert line[4] == "-" and line[10] == "T" and line[23] == "Z"


def test_text_timestamps_match_logging_s_own_across_seconds():
    """The seconds are formatted once per second; every line still reads as logging's would."""
    ours, reference = TextFormatter(), logging.Formatter()
    reference.converter = time.gmtime
    reference.default_time_format, reference.default_msec_format = "%Y-%m-%dT%H:%M:%S", "%s.%03dZ"
    for created in (1_764_597_787.0, 1_764_597_787.999, 1_764_597_788.0015, 1_764_597_787.5, 2_000_000_000.25):
        record = logging.makeLogRecord({"msg": "x"})
        record.created, record.msecs = created, int((created - int(created)) * 1000) + 0.0
        assert ours.formatTime(record) == reference.formatTime(record)
    assert ours.formatTime(record, "%Y") == "2033"


@pytest.mark.parametrize(
    ("logger", "args", "demoted"),
    [
        ("celery.beat", ("Scheduler: Sending due task %s (%s)", "webhooks-sweep", PUMP), True),
        ("celery.worker.strategy", ("Task %(name)s[%(id)s] received", {"name": PUMP, "id": "1", "kwargs": SWEEP}), True),
        ("celery.app.trace", ("Task %(name)s[%(id)s] succeeded", {"name": PUMP, "id": "1", "kwargs": SWEEP}), True),
        # the same task enqueued after a commit is no routine run: its lines stay INFO
        ("celery.worker.strategy", ("Task %(name)s[%(id)s] received", {"name": PUMP, "id": "2", "kwargs": "{'ids': [7]}"}), False),
        ("celery.app.trace", ("Task %(name)s[%(id)s] succeeded", {"name": PUMP, "id": "2", "kwargs": "{}"}), False),
        ("celery.app.trace", ("Task %(name)s[%(id)s] succeeded", {"name": "config.tasks.prune_task", "id": "3"}), False),
    ],
)  # fmt: skip
def test_routine_sweeps_are_debug_lines(logger, args, demoted, settings):
    record = logging.LogRecord(logger, logging.INFO, __file__, 1, args[0], args[1:] if len(args) > 2 else args[1], None)
    kept = RoutineTaskFilter(settings.ROUTINE_TASKS).filter(record)
    assert (record.levelno == logging.DEBUG) is demoted
    assert kept is not demoted  # DEBUG is off for these loggers


def test_a_routine_task_may_be_named_alone():
    record = logging.LogRecord("celery.app.trace", logging.INFO, __file__, 1, "Task %(name)s[%(id)s] succeeded",
                               {"name": PUMP, "id": "1", "kwargs": "{}"}, None)  # fmt: skip
    assert not RoutineTaskFilter([PUMP]).filter(record) and record.levelno == logging.DEBUG


@pytest.mark.slow
def test_gunicorn_writes_one_json_object_per_line_and_no_secret(live_server_factory, make_key):
    server = live_server_factory(workers=1, LOG_FORMAT="json")
    key = make_key().secret
    url = server.url
    token = requests.post(f"{url}/api/v1/authenticate?apiKey={key}", timeout=10).json()["token"]
    keys = requests.get(f"{url}/api/v1/keys", headers={"Authorization": f"Bearer {token}", "X-Request-ID": "json-e2e"},
                        timeout=10)  # fmt: skip
    assert keys.status_code == 200 and keys.headers["X-Request-ID"] == "json-e2e"
    requests.get(f"{url}/api/v1/nope?token={token}", timeout=10)
    time.sleep(0.5)
    output = server.output()
    lines = [line for line in output.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line, gunicorn's own included, is JSON
    probe = "/api/v1/version"  # what the fixture polls until gunicorn answers
    access = [r for r in records if r["logger"] == "apiservice.access" and r["path"] != probe]
    assert [(r["method"], r["path"], r["status"]) for r in access] == [
        ("POST", "/api/v1/authenticate", 200), ("GET", "/api/v1/keys", 200), ("GET", "/api/v1/nope", 404),
    ]  # fmt: skip
    keys_line = access[1]
    assert keys_line["request_id"] == "json-e2e" and keys_line["level"] == "INFO"
    assert isinstance(keys_line["user_id"], int) and keys_line["duration_ms"] >= 0 and keys_line["timestamp"]
    assert access[0]["user_id"] is None and access[0]["request_id"] != "-"
    assert not [r for r in records if r["logger"] == "gunicorn.access"]  # off in JSON mode: Django's line says it
    assert key.split("_")[2] not in output and token.split(".")[2] not in output


@pytest.mark.parametrize(
    "line",
    [
        "GET /api/v1/oauth2-redirect.html?code=Zx81kLmN0pQrStUv&state=abc HTTP/1.1",
        "POST /api/v1/oauth/token grant_type=authorization_code&code=Zx81kLmN0pQrStUv&code_verifier=Zx81kLmN0pQrStUv",
        "client_id=x&client_secret=Zx81kLmN0pQrStUv&refresh_token=Zx81kLmN0pQrStUv",
        "username=alice&password=Zx81kLmN0pQrStUv",
    ],
)
def test_oauth_secrets_in_a_url_or_form_are_masked(line):
    from core.logging import mask_secrets

    assert "Zx81kLmN0pQrStUv" not in mask_secrets(line)


@pytest.mark.parametrize(
    "line",
    [
        "GET /api/v1/repos?APIKEY=Zx81kLmN0pQrStUv",  # ASCII: searched lower-cased
        "Authorization: BeArEr Zx81kLmN0pQrStUv",
        "POST /oauth/token Code_Verifier=Zx81kLmN0pQrStUv",
        "naïve Authorization: TOKEN Zx81kLmN0pQrStUv",  # not ASCII: re's case-insensitive search
        "naïve GET /api/v1/repos?Api_Key=Zx81kLmN0pQrStUv",
    ],
)
def test_markers_are_found_in_any_case_in_ascii_and_other_lines(line):
    from core.logging import mask_secrets

    assert "Zx81kLmN0pQrStUv" not in mask_secrets(line)


def test_the_lower_cased_word_test_finds_what_the_case_insensitive_search_finds():
    from core.logging import _MARKERS, _may_hold_secret

    samples = ["GET /api/v1/repos/x 200", "KEY=1", "Token", "x BEARER y", "APISVC_a_b", "CoDe=1", "ClIeNt_SeCrEt=",
               "PassWord=", "/api/v1/keys", "monkey=1", "tokens", "codec=1", "Code_Verifier=x"]  # fmt: skip
    for text in samples:
        assert text.isascii() and _may_hold_secret(text) == (_MARKERS.search(text) is not None), text
    # why other text keeps re.IGNORECASE: there "ſ" is an "s" and "K" (Kelvin) a "k"
    assert _may_hold_secret("ſecret=") and "secret=" not in "ſecret=".lower()
    assert _may_hold_secret("Key=1") and not _may_hold_secret("naïve GET /api/v1/repos 200")


def test_a_key_pasted_into_a_path_is_masked_in_the_json_access_line(client, caplog):
    key = "apisvc_abcdef_0123456789secret"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(MaskSecretsFilter())
    handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s %(request_id)s"))
    access = logging.getLogger("apiservice.access")
    access.addHandler(handler)
    try:
        client.get(f"/api/v1/keys/{key}")
    finally:
        access.removeHandler(handler)
    record = json.loads(stream.getvalue().splitlines()[-1])
    assert "0123456789secret" not in stream.getvalue()
    assert record["path"] == "/api/v1/keys/apisvc_***" and record["message"].startswith("GET /api/v1/keys/apisvc_***")
    access_record = [r for r in caplog.records if r.name == "apiservice.access"][-1]
    assert access_record.pathname.endswith("core/logging.py") and access_record.funcName == "log_access"


JSON_FMT = "%(levelname)s %(name)s %(message)s %(request_id)s"


def console_only(monkeypatch):
    """The root logger with only the console handler of settings.LOGGING, writing into a
    StringIO. Called in the test itself: pytest adds its capture handlers after the fixtures."""
    root = logging.getLogger()
    console: Any = next(h for h in root.handlers if type(h) is logging.StreamHandler)
    stream = io.StringIO()
    monkeypatch.setattr(console, "stream", stream)
    monkeypatch.setattr(root, "handlers", [console])
    return console, stream


@pytest.mark.django_db(transaction=True)  # the WSGI handler's request signals, as under gunicorn
def test_the_access_line_through_the_wsgi_handler(monkeypatch, api_key):
    from tests.conftest import wsgi_call

    _, stream = console_only(monkeypatch)
    status, _ = wsgi_call("GET", "/api/v1/keys", {"Authorization": f"token {api_key.secret}", "X-Request-ID": "e2e-1"})
    assert status.startswith("200")
    line = [line for line in stream.getvalue().splitlines() if "apiservice.access" in line][-1]
    assert line.endswith(
        f"INFO apiservice.access [e2e-1] GET /api/v1/keys 200 {line.split()[-2]} user={api_key.api_key.user_id}"
    )
    assert api_key.secret.split("_")[-1] not in stream.getvalue()


FORGED = "%0a2026-12-06T10:00:00.000Z%20INFO%20apiservice.access%20[x]%20GET%20/api/v1/admin%20200%200.1ms%20user=1"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tail", [FORGED, "a%0db", "a%1b[2Jb", "a%e2%80%a8b", "a%00b"])
def test_a_path_cannot_forge_or_break_a_log_line(monkeypatch, tail):
    """Control characters a client puts in a path come out escaped: one request, one line."""
    from urllib.parse import unquote

    from tests.conftest import wsgi_call

    _, stream = console_only(monkeypatch)
    wsgi_call("GET", "/api/v1/" + unquote(tail, encoding="latin-1"))  # PATH_INFO as gunicorn decodes it
    written = stream.getvalue()
    lines = [line for line in written.split("\n") if line]
    assert len(lines) == 1 and "apiservice.access" in lines[0]
    assert not any(char in written.rstrip("\n") for char in "\r\x1b\x00\u2028")
    if tail == FORGED:
        assert "GET /api/v1/\\n2026-12-06T10:00:00.000Z INFO apiservice.access [x] GET" in lines[0]


@pytest.mark.django_db(transaction=True)
def test_a_jwt_in_a_path_is_masked(monkeypatch, make_key, api_client):
    from tests.conftest import wsgi_call

    issued = make_key()
    token = api_client.post("/api/v1/authenticate", {"apiKey": issued.secret}, format="json").json()["token"]
    _, stream = console_only(monkeypatch)
    wsgi_call("GET", f"/api/v1/{token}")
    assert token not in stream.getvalue() and token.split(".")[2] not in stream.getvalue()
    assert "GET /api/v1/eyJ*** 404" in stream.getvalue()


@pytest.mark.parametrize("formatter", [TextFormatter(TEXT_FORMAT)], ids=["text"])
def test_a_message_with_control_characters_stays_on_one_line_but_a_traceback_keeps_its_lines(formatter):
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.makeLogRecord(
            {"msg": "bad %s", "args": ("x\ny\x1b",), "levelname": "ERROR", "exc_info": __import__("sys").exc_info()}
        )
    line = formatter.format(record)
    first, *rest = line.split("\n")
    assert first.endswith("bad x\\ny\\x1b") and rest[0] == "Traceback (most recent call last):"


def text_record(name, msg, args, **attributes):
    record = logging.LogRecord(name, logging.WARNING, __file__, 1, msg, args, None)
    record.created, record.msecs = 1_764_597_787.0425, 42.0
    vars(record).update(attributes)
    return record


TEXT_CASES: dict[str, tuple[str, Any, tuple[Any, ...], dict[str, Any]]] = {
    "access line": ("apiservice.access", "%s %s %s %sms user=%s", ("GET", "/api/v1/repos", 200, 1.5, 7), {"request_id": "r-1"}),
    "arguments": ("apiservice.tasks", "sent %d of %s", (3, "x"), {"request_id": "r-2"}),
    "no request id": ("django.request", "plain", (), {}),
    "a None request id": ("django.request", "plain", (), {"request_id": None}),
    "a mapping": ("celery.app.trace", "Task %(name)s[%(id)s]", ({"name": "t", "id": "1"},), {"request_id": "-"}),
    "control characters": ("apiservice", "bad %s", ("x\ny\x1b\u2028",), {"request_id": "r-3"}),
    "a credential": ("apiservice", "token %s and ?apiKey=%s", ("apisvc_abcdef_0123456789secret", "k"), {}),
    "a JWT": ("apiservice", "%s", ("eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoxfQ.c2lnbmF0dXJlc2VjcmV0",), {}),
    "not a string": ("apiservice", ValueError("boom"), (), {"request_id": "r-4"}),
    "a percent sign": ("apiservice", "100%", (), {}),
}  # fmt: skip


@pytest.mark.parametrize("case", TEXT_CASES, ids=list(TEXT_CASES))
def test_the_text_layout_reads_the_same_on_the_fast_and_the_reference_path(settings, case):
    """TextFormatter writes TEXT_FORMAT without logging's attribute dict on the fast path:
    the same line as logging's own Formatter.format (the reference path), masking and escapes included."""
    name, msg, args, attributes = TEXT_CASES[case]
    lines = []
    for fast in (True, False):
        settings.API_FAST_PATHS = fast
        lines.append(TextFormatter(TEXT_FORMAT).format(text_record(name, msg, args, **attributes)))
    assert lines[0] == lines[1]
    assert lines[0].startswith("2025-12-01T14:03:07.042Z WARNING ")


@pytest.mark.fast_path
def test_the_fast_path_writes_the_text_layout_without_logging_s_style(settings, monkeypatch):
    def refused(*args):
        raise AssertionError("PercentStyle.format on the fast path")

    monkeypatch.setattr(logging.PercentStyle, "format", refused)
    line = TextFormatter(TEXT_FORMAT).format(text_record("apiservice", "hello %s", ("you",), request_id="r"))
    assert line == "2025-12-01T14:03:07.042Z WARNING apiservice [r] hello you"
    with pytest.raises(AssertionError):  # any other layout is logging's
        TextFormatter("%(message)s").format(text_record("apiservice", "hello", ()))


def test_a_record_with_a_traceback_is_written_by_logging_on_both_paths(settings):
    try:
        raise ValueError("boom")
    except ValueError:
        info = sys.exc_info()
    lines = []
    for fast in (True, False):
        settings.API_FAST_PATHS = fast
        record = text_record("apiservice", "failed %s", ("x\ny",), request_id="r")
        record.exc_info = info
        lines.append(TextFormatter(TEXT_FORMAT).format(record))
    assert lines[0] == lines[1] and "failed x\\ny" in lines[0] and "Traceback (most recent call last):" in lines[0]
