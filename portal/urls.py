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
