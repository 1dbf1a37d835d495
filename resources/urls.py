"""Resource routes under /api/v1/ (§3)."""

from apiservice.api.routing import route
from resources import views

USER = r"~(?P<username>[A-Za-z0-9_.@+-]+)"
REPO = r"(?P<name>[A-Za-z0-9._-]+)"

urlpatterns = [
    route("user", views.UserView.as_view(), "user"),
    route(f"user/{USER}", views.UserDetailView.as_view(), "user-detail"),
    route("user/profile", views.ProfileView.as_view(), "profile"),
    route("user/audit-log", views.AuditLogView.as_view(), "audit-log"),
    route("user/ssh-keys", views.SSHKeyListView.as_view(), "ssh-key-list"),
    route("user/ssh-keys/(?P<pk>[0-9]+)", views.SSHKeyDetailView.as_view(), "ssh-key-detail"),
    route("ssh-key/(?P<blob>[A-Za-z0-9+/=]+)", views.SSHKeyLookupView.as_view(), "ssh-key-lookup"),
    route("user/pgp-keys", views.PGPKeyListView.as_view(), "pgp-key-list"),
    route("user/pgp-keys/(?P<pk>[0-9]+)", views.PGPKeyDetailView.as_view(), "pgp-key-detail"),
    route("pgp-key/(?P<fingerprint>[A-Fa-f0-9 ]+)", views.PGPKeyLookupView.as_view(), "pgp-key-lookup"),
    route("repos", views.RepositoryListView.as_view(), "repo-list"),
    route(f"repos/{REPO}", views.RepositoryDetailView.as_view(), "repo-detail"),
    route(f"repos/{REPO}/readme", views.ReadmeView.as_view(), "repo-readme"),
    route(f"{USER}/repos", views.UserRepositoryListView.as_view(), "user-repo-list"),
    route(f"{USER}/repos/{REPO}", views.UserRepositoryDetailView.as_view(), "user-repo-detail"),
]
