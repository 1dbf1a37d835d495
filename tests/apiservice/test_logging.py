"""Logs: JSON or timestamped text, the request's fields on its access line, never a credential."""

import io
import json
import logging
import time
from typing import Any

import pytest
import requests

from apiservice.api.requestid import RequestIdFilter, request_id_context
from apiservice.logging import JsonFormatter, MaskSecretsFilter, RoutineTaskFilter, TextFormatter

SWEEP = "webhooks.tasks.sweep_deliveries_task"


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
    with request_id_context("json-1"):
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
        ("celery.beat", ("Scheduler: Sending due task %s (%s)", "webhooks-sweep", SWEEP), True),
        ("celery.worker.strategy", ("Task %(name)s[%(id)s] received", {"name": SWEEP, "id": "1"}), True),
        ("celery.app.trace", ("Task %(name)s[%(id)s] succeeded", {"name": SWEEP, "id": "1"}), True),
        ("celery.app.trace", ("Task %(name)s[%(id)s] succeeded", {"name": "webhooks.tasks.deliver_task", "id": "1"}), False),
    ],
)  # fmt: skip
def test_routine_sweeps_are_debug_lines(logger, args, demoted):
    record = logging.LogRecord(logger, logging.INFO, __file__, 1, args[0], args[1:] if len(args) > 2 else args[1], None)
    kept = RoutineTaskFilter([SWEEP]).filter(record)
    assert (record.levelno == logging.DEBUG) is demoted
    assert kept is not demoted  # DEBUG is off for these loggers


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
    from apiservice.logging import mask_secrets

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
    from apiservice.logging import mask_secrets

    assert "Zx81kLmN0pQrStUv" not in mask_secrets(line)


def test_the_lower_cased_word_test_finds_what_the_case_insensitive_search_finds():
    from apiservice.logging import _MARKERS, _may_hold_secret

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
    # made without logger.info()'s stack walk, the record still names its call site
    access_record = [r for r in caplog.records if r.name == "apiservice.access"][-1]
    assert access_record.pathname.endswith("apiservice/logging.py") and access_record.funcName == "log"
    assert access_record.lineno > 0


TEXT_FMT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FMT = "%(levelname)s %(name)s %(message)s %(request_id)s"


@pytest.mark.parametrize("formatter", [TextFormatter(TEXT_FMT), JsonFormatter(JSON_FMT)], ids=["text", "json"])
@pytest.mark.parametrize(
    ("args", "fields"),
    [
        (("GET", "/api/v1/repos/x", 200, 1.3, 7), ("GET", "/api/v1/repos/x", 200, 1.3, 7, "127.0.0.1")),
        (
            ("POST", "/api/v1/keys/apisvc_***", 404, 12.0, "-"),
            ("POST", "/api/v1/keys/apisvc_***", 404, 12.0, None, "::1"),
        ),
        (
            ("GET", "/api/v1/~j\u00fcrgen/repos", 200, 0.4, 3),
            ("GET", "/api/v1/~j\u00fcrgen/repos", 200, 0.4, 3, "10.0.0.1"),
        ),
        (
            ("GET", "/api/v1/x?token=abc12345678", 400, 2.0, "-"),
            ("GET", "/x?token=abc12345678", 400, 2.0, None, "1.2.3.4"),
        ),
    ],
)
def test_the_direct_access_line_is_the_line_logging_writes(formatter, args, fields):
    """``format_access`` (the access line without a LogRecord) gives the bytes ``format`` gives
    for the record ``logging`` would make, masking included."""
    from apiservice.logging import ACCESS_FIELDS, ACCESS_MESSAGE, AccessLogMiddleware

    named = dict(zip(ACCESS_FIELDS, fields, strict=True))
    with request_id_context("req-1"):
        record = AccessLogMiddleware.record(args, named)
        assert RequestIdFilter().filter(record) and MaskSecretsFilter().filter(record)
    for created in (1796157359.0, 1796157359.987654, 1796157360.5):
        record.created, record.msecs = created, int((created - int(created)) * 1000)
        direct = formatter.format_access(created, record.msecs, "req-1", ACCESS_MESSAGE % args, named)
        assert direct == formatter.format(record)
    assert "abc12345678" not in direct


def test_a_formatter_configured_otherwise_leaves_the_line_to_logging():
    assert TextFormatter("%(levelname)s %(message)s").format_access(0.0, 0, "-", "m", {}) is None
    assert TextFormatter(TEXT_FMT, datefmt="%H:%M").format_access(0.0, 0, "-", "m", {}) is None

    class Own(TextFormatter):
        pass

    assert Own(TEXT_FMT).format_access(0.0, 0, "-", "m", {}) is None  # its format() may differ
    assert (
        TextFormatter(TEXT_FMT).format_access(0.0, 0, "-", "m", {})
        == "1970-01-01T00:00:00.000Z INFO apiservice.access [-] m"
    )
    assert JsonFormatter(JSON_FMT, static_fields={"app": "x"}).format_access(0.0, 0, "-", "m", {}) is None
    assert JsonFormatter("%(message)s").format_access(0.0, 0, "-", "m", {}) is None


def console_only(monkeypatch):
    """The root logger with only the console handler of settings.LOGGING, writing into a
    StringIO. Called in the test itself: pytest adds its capture handlers after the fixtures."""
    root = logging.getLogger()
    console: Any = next(h for h in root.handlers if type(h) is logging.StreamHandler)
    stream = io.StringIO()
    monkeypatch.setattr(console, "stream", stream)
    monkeypatch.setattr(root, "handlers", [console])
    return console, stream


def test_the_shipped_configuration_writes_the_access_line_directly(monkeypatch):
    from apiservice.logging import direct_access_handler

    console, _ = console_only(monkeypatch)
    assert direct_access_handler() is console is not None
    assert hasattr(console.formatter, "format_access")
    monkeypatch.setattr(logging.getLogger(), "handlers", [console, logging.NullHandler()])
    assert direct_access_handler() is None  # a second handler: through logging
    monkeypatch.setattr(logging.getLogger(), "handlers", [console])
    monkeypatch.setattr(console, "filters", [*console.filters, lambda record: True])
    assert direct_access_handler() is None  # a filter of the operator's: through logging


@pytest.mark.django_db(transaction=True)  # the WSGI handler's request signals, as under gunicorn
def test_an_access_line_written_directly_through_the_wsgi_handler(monkeypatch, api_key):
    from tests.conftest import wsgi_call

    console, stream = console_only(monkeypatch)
    handled: list[logging.LogRecord] = []
    monkeypatch.setattr(logging.getLogger("apiservice.access"), "handle", handled.append)
    status, _ = wsgi_call("GET", "/api/v1/keys", {"Authorization": f"token {api_key.secret}", "X-Request-ID": "e2e-1"})
    assert status.startswith("200") and handled == []  # no LogRecord made
    line = [line for line in stream.getvalue().splitlines() if "apiservice.access" in line][-1]
    assert line.endswith(
        f"INFO apiservice.access [e2e-1] GET /api/v1/keys 200 {line.split()[-2]} user={api_key.api_key.user_id}"
    )
    assert api_key.secret.split("_")[-1] not in stream.getvalue()
    monkeypatch.setattr(console, "formatter", logging.Formatter("%(message)s"))  # no format_access: through logging
    wsgi_call("GET", "/api/v1/version")
    assert len(handled) == 1 and handled[0].getMessage().startswith("GET /api/v1/version 200")
