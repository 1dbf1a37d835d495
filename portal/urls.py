"""The account portal's pages: ``/settings/...``."""

from django.urls import path
from django.views.generic import RedirectView

from portal.views import sudo

app_name = "portal"

urlpatterns = [
    path("settings/", RedirectView.as_view(pattern_name="portal:confirm"), name="home"),
    path("settings/confirm", sudo.confirm, name="confirm"),
]

# ---------------------------------------------------------------- credentials, keys, webhooks, audit log
# (issue 24 item 5: API keys, app tokens, OAuth applications, authorized applications, SSH and
# PGP keys, webhooks and their deliveries, the audit log)
from portal.views import (  # noqa: E402
    api_keys,
    app_tokens,
    audit_log,
    authorized_apps,
    keys,
    oauth_apps,
    webhooks,
)

HOOK = "settings/webhooks/<int:webhook_id>"
DELIVERY = HOOK + "/deliveries/<str:delivery_id>"

urlpatterns += [
    path("settings/keys", api_keys.api_keys, name="api_keys"),
    path("settings/keys/<int:pk>/revoke", api_keys.revoke, name="api_key_revoke"),
    path("settings/tokens", app_tokens.app_tokens, name="app_tokens"),
    path("settings/tokens/<uuid:uuid>/revoke", app_tokens.revoke, name="app_token_revoke"),
    path("settings/applications", oauth_apps.oauth_apps, name="oauth_apps"),
    path("settings/applications/<str:client_id>", oauth_apps.oauth_app, name="oauth_app"),
    path("settings/applications/<str:client_id>/rotate-secret", oauth_apps.rotate_secret, name="oauth_app_rotate"),
    path("settings/applications/<str:client_id>/delete", oauth_apps.delete, name="oauth_app_delete"),
    path("settings/authorized", authorized_apps.authorized_apps, name="authorized_apps"),
    path("settings/authorized/<str:client_id>/revoke", authorized_apps.revoke, name="authorized_app_revoke"),
    path("settings/ssh-keys", keys.key_list, {"keys": keys.SSH_PAGE}, name="ssh_keys"),
    path("settings/ssh-keys/<int:pk>/remove", keys.key_remove, {"keys": keys.SSH_PAGE}, name="ssh_key_remove"),
    path("settings/pgp-keys", keys.key_list, {"keys": keys.PGP_PAGE}, name="pgp_keys"),
    path("settings/pgp-keys/<int:pk>/remove", keys.key_remove, {"keys": keys.PGP_PAGE}, name="pgp_key_remove"),
    path("settings/webhooks", webhooks.webhooks, name="webhooks"),
    path(HOOK, webhooks.webhook, name="webhook"),
    path(HOOK + "/delete", webhooks.delete, name="webhook_delete"),
    path(HOOK + "/test", webhooks.test, name="webhook_test"),
    path(HOOK + "/replay", webhooks.replay, name="webhook_replay"),
    path(DELIVERY, webhooks.delivery, name="delivery"),
    path(DELIVERY + "/redeliver", webhooks.redeliver, name="delivery_redeliver"),
    path("settings/audit-log", audit_log.audit_log, name="audit_log"),
]
