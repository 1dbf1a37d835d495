"""Resource routes under /api/v1/ (§3)."""

from core.routing import route
from resources.views import keys, repos, users

USER = r"~(?P<username>[A-Za-z0-9_.@+-]+)"
REPO = r"(?P<name>[A-Za-z0-9._-]+)"

urlpatterns = [
    # The busiest routes first: Django tries the patterns in order (the paths never overlap).
    route("repos", repos.RepositoryListView.as_view(), "repo-list"),
    route(f"repos/{REPO}", repos.RepositoryDetailView.as_view(), "repo-detail"),
    route(f"repos/{REPO}/readme", repos.ReadmeView.as_view(), "repo-readme"),
    route(f"{USER}/repos", repos.UserRepositoryListView.as_view(), "user-repo-list"),
    route(f"{USER}/repos/{REPO}", repos.UserRepositoryDetailView.as_view(), "user-repo-detail"),
    route("user", users.UserView.as_view(), "user"),
    route(f"user/{USER}", users.UserDetailView.as_view(), "user-detail"),
    route("user/profile", users.ProfileView.as_view(), "profile"),
    route("user/ssh-keys", keys.SSHKeyListView.as_view(), "ssh-key-list"),
    route("user/ssh-keys/(?P<pk>[^/]+)", keys.SSHKeyDetailView.as_view(), "ssh-key-detail"),
    route("ssh-key/(?P<blob>[A-Za-z0-9+/=]+)", keys.SSHKeyLookupView.as_view(), "ssh-key-lookup"),
    route("user/pgp-keys", keys.PGPKeyListView.as_view(), "pgp-key-list"),
    route("user/pgp-keys/(?P<pk>[^/]+)", keys.PGPKeyDetailView.as_view(), "pgp-key-detail"),
    route("pgp-key/(?P<fingerprint>[^/]+)", keys.PGPKeyLookupView.as_view(), "pgp-key-lookup"),
]
