"""The account portal's pages: ``/settings/...``, and the account pages at the root."""

from django.urls import URLPattern, path, re_path
from django.views.generic import RedirectView

from portal.views import invites, passwords, profile, security, signin, signup, sudo

app_name = "portal"

urlpatterns = [
    path("settings/", RedirectView.as_view(pattern_name="portal:profile"), name="home"),
    path("settings/confirm", sudo.confirm, name="confirm"),
    # ---- accounts and security (issue 24, part 1: portal/views/{signin,signup,passwords,profile,security,invites}.py)
    re_path(r"^login/two-factor/?$", signin.two_factor, name="login_two_factor"),
    re_path(r"^login/enrol/?$", signin.enrol, name="login_enrol"),
    re_path(r"^signup/?$", signup.sign_up, name="signup"),
    path("signup/verify/<str:uidb64>/<str:token>", signup.verify_email, name="verify_email"),
    re_path(r"^signup/resend/?$", signup.resend, name="resend_verification"),
    re_path(r"^password/reset/?$", passwords.PasswordResetView.as_view(), name="password_reset"),
    re_path(r"^password/reset/sent/?$", passwords.PasswordResetSentView.as_view(), name="password_reset_sent"),
    re_path(r"^password/reset/done/?$", passwords.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path(
        "password/reset/<str:uidb64>/<str:token>",
        passwords.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    re_path(r"^settings/profile/?$", profile.profile, name="profile"),
    re_path(r"^settings/profile/email/?$", profile.email_change, name="email_change"),
    path("settings/profile/email/<str:uidb64>/<str:token>", profile.email_confirm, name="email_confirm"),
    re_path(r"^settings/profile/delete/?$", profile.account_delete, name="account_delete"),
    re_path(r"^settings/security/?$", security.security, name="security"),
    re_path(r"^settings/security/password/?$", passwords.PasswordChangeView.as_view(), name="password_change"),
    re_path(r"^settings/security/two-factor/?$", security.two_factor_enable, name="two_factor_enable"),
    re_path(r"^settings/security/two-factor/disable/?$", security.two_factor_disable, name="two_factor_disable"),
    re_path(r"^settings/security/recovery-codes/?$", security.recovery_codes, name="recovery_codes"),
    re_path(r"^settings/security/sessions/sign-out-others/?$", security.sign_out_others, name="sign_out_others"),
    re_path(r"^settings/invites/?$", invites.invites, name="invites"),
    # ---- end of accounts and security
]

# Outside the namespace: LOGIN_URL, the consent page and Django's views name them "login" and "logout".
site_urlpatterns: list[URLPattern] = [
    re_path(r"^login/?$", signin.sign_in, name="login"),
    re_path(r"^logout/?$", signin.sign_out, name="logout"),
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
