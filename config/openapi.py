"""Each operation's summary and description in the OpenAPI document (issue 26.10).

drf-spectacular would describe every method of a view with the view's docstring, written
for this code's readers in reStructuredText (``api_keys_create`` described ``GET``). The
document is read by people in Swagger UI and Redoc and by SDK generators, which turn it into
docstrings: each operation gets a one-line ``summary`` and a Markdown ``description`` of its
own here, in the wiring, which may name every app's operations. A test fails when an
operation of the document is missing from this table.
"""

from __future__ import annotations

from typing import Any

OPERATIONS: dict[str, tuple[str, str]] = {
    # operation id: (summary, description)
    "api_root": ("List the API's resources", "Every resource of this API with its URL. No credential needed."),
    "version": (
        "Get the API version",
        "The API's semantic version; the major number changes only on breaking changes.",
    ),
    "health": (
        "Check the service's health",
        "`200` when the database, Redis and the task broker are up, else `503` with `Retry-After`, "
        "naming what is down. For load balancers; no credential needed.",
    ),
    "rate_limit": (
        "Show your rate limits",
        "Every rate-limit scope that applies to the caller, with what is left of it. Looking costs nothing "
        "but the request itself.",
    ),
    "authenticate": (
        "Trade an API key for a JWT",
        'Send the key as `{"apiKey": ...}` (preferred: it stays out of access logs) or `?apiKey=`. '
        'Answers `{"token", "expiresIn"}`, `expiresIn` in milliseconds (Hangar\'s exchange). '
        "An unknown, revoked or expired key is a `401`.",
    ),
    "api_keys_list": ("List your API keys", "A page of the caller's API keys, newest first. Never a secret."),
    "api_keys_create": (
        "Create an API key",
        "The answer carries the key's secret in `key`, this once. The new key's scopes never exceed those "
        "of the credential creating it (`403`).",
    ),
    "api_keys_retrieve": ("Get an API key", "One of the caller's API keys, by id. Never its secret."),
    "api_keys_destroy": (
        "Delete an API key",
        "Revokes the key and every JWT minted from it, on every server process within a second.",
    ),
    "app_tokens_list": ("List your app tokens", "The caller's app tokens (Quay's shape), as `{\"tokens\": [...]}`."),
    "app_tokens_create": (
        "Create an app token",
        "An API key named by a UUID, with the scopes of the credential creating it; `token_code` is "
        "its secret, shown this once.",
    ),
    "app_tokens_retrieve": ("Get an app token", "One of the caller's app tokens, by UUID. Never its secret."),
    "app_tokens_destroy": ("Delete an app token", "Revokes the token and every JWT minted from it at once."),
    "oauth_apps_list": ("List your OAuth applications", "A page of the caller's OAuth applications. Never a secret."),
    "oauth_apps_create": (
        "Register an OAuth application",
        "A confidential client's `client_secret` is in this answer only. Funkwhale's shape (scopes and "
        "redirect URIs as whitespace-separated strings) is accepted too.",
    ),
    "oauth_apps_retrieve": ("Get an OAuth application", "One of the caller's OAuth applications, by client id."),
    "oauth_apps_update": (
        "Replace an OAuth application",
        "Sets `name`, `redirect_uris` and `scopes`; a scope dropped revokes the tokens holding it.",
    ),
    "oauth_apps_destroy": (
        "Delete an OAuth application",
        "Revokes every token of the application, and every key minted through it.",
    ),
    "oauth_apps_rotate_secret": (
        "Rotate an OAuth application's secret",
        "A confidential client's new `client_secret`, in this answer only; the old one stops working at once.",
    ),
    "oauth_authorizations_list": (
        "List the applications you authorized",
        "A page of the OAuth applications holding a token of the caller's.",
    ),
    "oauth_authorizations_destroy": (
        "Withdraw an authorization",
        "Revokes every token and pending code of the caller's for the application, and the keys minted through them.",
    ),
    "user_self": ("Get your profile", "The caller's own user, in full. Any credential, any scope."),
    "user_detail": ("Get a user", "A user by name: your own profile in full, anyone else's public fields."),
    "profile_retrieve": ("Get your profile", "The caller's profile, in full (scope `profile:read`)."),
    "profile_update": (
        "Update your profile",
        "Sets any of `url`, `location`, `bio`, `use_pgp_key`; fires `profile:update`. A new `email` is kept "
        "pending and mailed a link: the address changes when the link is followed by someone signed in to the "
        "account, so the response still shows the current one.",
    ),
    "audit_log_list": (
        "List your audit log",
        "A page of the caller's audit entries, newest first. Written by the service, never edited through the API.",
    ),
    "ssh_keys_list": ("List your SSH keys", "A page of the caller's SSH keys, newest first."),
    "ssh_keys_create": (
        "Add an SSH key",
        '`{"ssh-key": "<authorized_keys line>"}`; the fingerprint must be unique across all users. '
        "Fires `ssh-key:add`.",
    ),
    "ssh_keys_retrieve": ("Get an SSH key", "One of the caller's SSH keys, by id."),
    "ssh_keys_destroy": ("Delete an SSH key", "Fires `ssh-key:remove`."),
    "ssh_key_lookup": ("Look up an SSH key", "Anyone may look a key up by its base64 blob."),
    "pgp_keys_list": ("List your PGP keys", "A page of the caller's PGP keys, newest first."),
    "pgp_keys_create": (
        "Add a PGP key",
        '`{"pgp-key": "<ASCII-armored public key>"}`; it must parse and carry a user ID. Fires `pgp-key:add`.',
    ),
    "pgp_keys_retrieve": ("Get a PGP key", "One of the caller's PGP keys, by id."),
    "pgp_keys_destroy": ("Delete a PGP key", "Fires `pgp-key:remove`."),
    "pgp_key_lookup": (
        "Look up a PGP key",
        "Anyone may look a key up by fingerprint or key id (spaces and case ignored).",
    ),
    "repos_list": ("List your repositories", "A page of the caller's repositories, newest first."),
    "repos_create": (
        "Create a repository",
        "`name` must match `^[A-Za-z0-9._-]+$`, not `.`, `..` or `.git`, and be unique among yours; "
        "`visibility` defaults to `public`. Fires `repo:create`.",
    ),
    "repos_retrieve": ("Get one of your repositories", "By name."),
    "repos_update": (
        "Update a repository",
        "Any of `name` (renames it), `description`, `visibility`; an absent or empty field is left "
        "unchanged. Fires `repo:update`.",
    ),
    "repos_destroy": ("Delete a repository", "Fires `repo:delete`."),
    "repos_readme_retrieve": ("Get a repository's README override", '`{"readme": "..."}`; `404` when there is none.'),
    "repos_readme_update": (
        "Set a repository's README override",
        '`{"readme": "..."}` replaces the override; answers `204`.',
    ),
    "repos_readme_destroy": (
        "Remove a repository's README override",
        "The repository has no override afterwards; answers `204`.",
    ),
    "user_repos_list": (
        "List a user's repositories",
        "A user's public repositories, newest first (all of them, if they are yours).",
    ),
    "user_repos_retrieve": (
        "Get a user's repository",
        "Public and unlisted repositories by name; another user's private one is a `404`.",
    ),
    "webhooks_list": ("List your webhook subscriptions", "A page of the caller's subscriptions, newest first."),
    "webhooks_create": (
        "Subscribe a URL to events",
        "`{url, events}`; needs `webhooks:write` and the read scope of each event's resource. "
        "`GET /webhooks/events` lists the events.",
    ),
    "webhooks_retrieve": ("Get a webhook subscription", "One of the caller's subscriptions, by id."),
    "webhooks_destroy": ("Delete a webhook subscription", "Deletes the subscription with its delivery log."),
    "webhooks_test": (
        "Send a test delivery",
        "Answers `202`; a `webhook:test` delivery is sent to the subscription's URL.",
    ),
    "webhooks_replay": (
        "Send failed deliveries again",
        '`{"since": "<RFC 3339>"}`: re-queues the subscription\'s failed deliveries since then; answers `202`.',
    ),
    "webhook_deliveries_list": ("List a subscription's deliveries", "The delivery log, newest first."),
    "webhook_deliveries_retrieve": ("Get a delivery", "One delivery by UUID: its payload, attempts and last answer."),
    "webhook_deliveries_redeliver": (
        "Send a delivery again",
        "The same delivery (same id and body), sent again; answers `202`.",
    ),
    "webhook_events": (
        "List the webhook events",
        "Every event, the scope needed to subscribe, and its payload's JSON Schema.",
    ),
    "webhook_keys": (
        "List the webhook signing keys",
        "The Ed25519 public keys that sign deliveries (raw, base64), with their ids.",
    ),
}


def postprocess(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular's ``POSTPROCESSING_HOOKS`` entry: the summaries and descriptions above;
    the unhealthy answer's ``errors`` are the error shape's entries (``core.schema``)."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            known = OPERATIONS.get(operation.get("operationId", ""))
            if known is not None:
                operation["summary"], operation["description"] = known
    unavailable = result.get("components", {}).get("schemas", {}).get("HealthUnavailable")
    if unavailable is not None:
        unavailable["properties"]["errors"] = {"type": "array", "items": {"$ref": "#/components/schemas/ErrorDetail"}}
    return result
