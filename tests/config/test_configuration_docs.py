"""Every environment variable the code reads is documented in docs/configuration.md."""

import re

from tests.conftest import ROOT

# settings.py reads through core/env.py's helpers; entry points (embedded.py,
# gunicorn.conf.py) read os.environ before Django is configured.
READERS = re.compile(
    r"""(?:env_str|env_int|env_bool|env_list|env_int_list|env_float|secret_setting|os\.environ\.get|os\.environ\.setdefault|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
)
NOT_CONFIGURATION = {"DJANGO_SETTINGS_MODULE", "CI", "PYTHONUNBUFFERED"}


def code_files():
    for folder in (
        "config",
        "core",
        "accounts",
        "auth",
        "ratelimit",
        "idempotency",
        "resources",
        "webhooks",
        "portal",
        "devstack",
    ):
        yield from (ROOT / folder).rglob("*.py")
    yield ROOT / "gunicorn.conf.py"
    yield ROOT / "manage.py"


def test_every_env_var_read_is_documented():
    documented = (ROOT / "docs" / "configuration.md").read_text()
    from ratelimit.conf import DEFAULTS, env_name

    read = {name for path in code_files() for name in READERS.findall(path.read_text())}
    read |= {env_name(scope) for scope in DEFAULTS}  # ratelimit.conf.from_env() names them in a loop
    assert {"DJANGO_DEBUG", "DATABASE_URL", "API_RATE_LIMIT_WEBHOOK_TEST", "WEBHOOK_RETRY_SCHEDULE"} <= read, (
        "the scan finds the settings' env vars"
    )
    missing = sorted(name for name in read - NOT_CONFIGURATION if f"`{name}`" not in documented)
    assert not missing, f"add to docs/configuration.md: {missing}"
