"""What a user of a client generated from /api/v1/schema writes (issue 26.10), run by tests/test_sdk.py.

The test generates ``apiservice_client`` with openapi-python-client, type-checks this file
under ``mypy --strict`` against it, then runs it against a live server:

    python sdk_script.py http://127.0.0.1:8000 apisvc_...

It creates repositories, walks every page through ``next``, and reads an error, using the
generated types as they come: no cast, no ``int(page.next_)``, no ``isinstance(x, Unset)``
on a field the API always sends.
"""

from __future__ import annotations

import sys

from apiservice_client import AuthenticatedClient
from apiservice_client.api.repositories import repos_create, repos_list, repos_retrieve
from apiservice_client.models import Error, PaginatedRepositoryList, Repository, RepositoryCreateRequest
from apiservice_client.models.visibility_enum import VisibilityEnum
from apiservice_client.types import UNSET, Unset

NAMES = ["sdk-one", "sdk-two", "sdk-three"]


def create(client: AuthenticatedClient, name: str) -> Repository:
    created = repos_create.sync(
        client=client, body=RepositoryCreateRequest(name=name, visibility=VisibilityEnum.PUBLIC)
    )
    if not isinstance(created, Repository):
        raise SystemExit(f"creating {name}: {created!r}")
    return created


def every_repository(client: AuthenticatedClient) -> list[Repository]:
    """Page after page, the ``next`` of one is the ``start`` of the following one, as is."""
    found: list[Repository] = []
    start: str | Unset = UNSET  # the first page
    while True:
        page = repos_list.sync(client=client, per_page=2, start=start)
        if not isinstance(page, PaginatedRepositoryList):
            raise SystemExit(f"listing: {page!r}")
        found.extend(page.results)
        if page.next_ is None:
            return found
        start = page.next_


def main(base_url: str, key: str) -> None:
    client = AuthenticatedClient(base_url=base_url, token=key)
    created = [create(client, name) for name in NAMES]
    owner: str = created[0].owner.canonical_name
    listed = every_repository(client)
    names = sorted(repository.name for repository in listed)
    assert names == sorted(NAMES), names
    assert all(repository.visibility is VisibilityEnum.PUBLIC for repository in listed)

    missing = repos_retrieve.sync_detailed(name="no-such-repository", client=client)
    assert missing.status_code == 404 and isinstance(missing.parsed, Error), missing
    reasons: list[str] = [error.reason for error in missing.parsed.errors]

    refused = repos_create.sync(client=client, body=RepositoryCreateRequest(name=".git"))
    assert isinstance(refused, Error), refused
    fields = [error.field for error in refused.errors]
    print(f"ok {owner} {len(listed)} {reasons} {fields}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
