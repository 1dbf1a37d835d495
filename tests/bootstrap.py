"""Pytest plugin (``-p tests.bootstrap`` in pyproject.toml): the embedded servers start before the settings load."""

from __future__ import annotations

import pytest

from devstack import embedded


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """Start (or find running) the servers under var/test/ and write the local secrets.

    pytest-django imports the settings in its own ``pytest_load_initial_conftests``, before
    any conftest loads, and the settings only point at the servers: this runs first
    (``tryfirst``). tests/conftest.py stops at the end of the session those started here.
    """
    options = early_config.known_args_namespace
    if options.help or options.version:  # nothing runs; start nothing
        return
    try:
        embedded.bootstrap()
    except embedded.EmbeddedServerError as refused:  # what to do, as pytest's one-line error
        raise pytest.UsageError(str(refused)) from None
