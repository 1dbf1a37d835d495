"""Schema fuzzing (issue 7): schemathesis drives every operation of our own OpenAPI document,
in-process through the WSGI application, with a real API key, and checks for server
errors, responses that violate the schema and undocumented status codes."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/schema?format=json", application)

# What the contract promises: no server error, every response (body, status, media type,
# headers) as documented. Whether the API accepts every schema-valid body (it also checks
# business rules such as "expires in the future") or refuses unknown query parameters
# (HTTP APIs ignore them) is not part of it.
CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
]


# No ``?fields=``: it keeps only the keys it names (§1.4), so its answers may lack keys the
# schema marks required, as the parameter's description says; what it keeps is tested in
# tests/apiservice/test_conventions.py.
for path_item in schema.raw_schema["paths"].values():
    for operation in path_item.values():
        if isinstance(operation, dict) and "parameters" in operation:
            operation["parameters"] = [p for p in operation["parameters"] if p.get("name") != "fields"]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """As Django's test client does: a request's end must not close the test's DB connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_headers(api_key):
    return {"Authorization": f"token {api_key.secret}"}


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_contract(case, fuzz_headers, rate_limits):
    rate_limits(authenticate="100000/60+0", apikey_create="100000/60+0", webhook_test="100000/60+0")
    case.call_and_validate(headers=fuzz_headers, checks=CHECKS)
