"""An SDK a user would be glad to have (issue 26.10): a typed Python client generated from
``/api/v1/schema`` with openapi-python-client builds without a warning, ``tests/sdk_script.py``
passes ``mypy --strict`` against it (so no field the API always sends is ``X | Unset``), and
the script runs against a real gunicorn: create, list, page through ``next``, read an error.

Nothing is installed: the client is generated into a temporary directory and imported from
there (its own dependencies, httpx and attrs, come with the dev extra).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

GENERATOR_CONFIG = (
    "project_name_override: apiservice-client\npackage_name_override: apiservice_client\npost_hooks: []\n"
)
# A misuse that --strict must catch, to prove it is strict enough: a request field that may be Unset
MISUSE = (
    "from apiservice_client.models import RepositoryUpdateRequest\n"
    "def renamed(body: RepositoryUpdateRequest) -> str:\n"
    "    return body.name.upper()\n"
)


def run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )


@pytest.fixture(scope="module")
def sdk(tmp_path_factory) -> Path:
    """The generated package's parent directory (schema fetched in-process, no server needed)."""
    from django.test import Client

    here = tmp_path_factory.mktemp("sdk")
    (here / "schema.json").write_bytes(Client().get("/api/v1/schema", HTTP_ACCEPT="application/json").content)
    (here / "config.yaml").write_text(GENERATOR_CONFIG)
    generated = run(
        sys.executable, "-m", "openapi_python_client", "generate", "--path", "schema.json", "--config", "config.yaml",
        "--output-path", "apiservice_client", "--meta", "none", cwd=here,
    )  # fmt: skip
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    assert "Warning" not in output and "will not be generated" not in output, output
    shutil.copy(ROOT / "tests" / "sdk_script.py", here / "sdk_script.py")
    (here / "misuse.py").write_text(MISUSE)
    return here


def test_the_generated_client_type_checks_strictly(sdk):
    strict = (sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", str(sdk / ".mypy_cache"))
    checked = run(*strict, "sdk_script.py", cwd=sdk)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    misuse = run(*strict, "misuse.py", cwd=sdk)
    assert misuse.returncode == 1 and 'Item "Unset" of "str | Unset" has no attribute "upper"' in misuse.stdout


def test_the_generated_client_lists_pages_creates_and_reads_errors(sdk, gunicorn, make_key, django_user_model):
    key = make_key(django_user_model.objects.create_user("sdk-user"), scopes=["repos:read", "repos:write"])
    ran = run(sys.executable, "sdk_script.py", gunicorn.url, key.secret, cwd=sdk)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout.strip() == "ok ~sdk-user 3 ['not found'] ['name']"


@pytest.fixture(scope="module")
def document() -> dict:
    from django.test import Client

    return Client().get("/api/v1/schema", HTTP_ACCEPT="application/json").json()


def operations(document: dict) -> list[dict]:
    return [operation for item in document["paths"].values() for operation in item.values()]


def test_every_operation_has_its_own_summary_and_description(document):
    from config.openapi import OPERATIONS

    ids = {operation["operationId"] for operation in operations(document)}
    assert ids == set(OPERATIONS), "config/openapi.py names exactly the document's operations"
    for operation in operations(document):
        assert operation["summary"] and operation["description"], operation["operationId"]
        assert "``" not in operation["description"]
    descriptions = [operation["description"] for operation in operations(document)]
    assert len(set(descriptions)) == len(descriptions)


def test_the_document_speaks_json_and_types_what_a_client_decodes(document):
    schemas = document["components"]["schemas"]
    for operation in operations(document):
        assert not any(param["name"] == "format" for param in operation.get("parameters", []))
        for answer in [operation.get("requestBody", {}), *operation["responses"].values()]:
            assert set(answer.get("content", {})) <= {"application/json"}, operation["operationId"]
        if operation["operationId"] != "authenticate" and "requestBody" in operation:
            assert operation["requestBody"]["required"] is True, operation["operationId"]
    for name in ("Repository", "User", "SSHKey", "PGPKey", "ApiKey", "Token", "PaginatedRepositoryList"):
        assert schemas[name]["required"], name
        assert "Mixin" not in schemas[name].get("description", ""), name
    assert set(schemas["Health"]["required"]) == {"status", "database", "redis", "broker"}
    assert all("x-enum-varnames" in schema for schema in schemas.values() if "enum" in schema)
    assert "BlankEnum" not in schemas and "AuthenticateRequest" in schemas and "ErrorDetail" in schemas
    keys = document["paths"]["/api/v1/keys/{id}"]["get"]["parameters"]
    assert next(p for p in keys if p["name"] == "id")["schema"]["type"] == "integer"
    start = next(p for p in document["paths"]["/api/v1/repos"]["get"]["parameters"] if p["name"] == "start")
    assert start["schema"]["type"] == "string"  # what `next` is on the wire, passed on as is
