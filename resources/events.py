"""The events this app emits (§4.1), registered with the webhook engine when the app loads."""

from __future__ import annotations

from resources.serializers import PGPKeySerializer, RepositorySerializer, SSHKeySerializer, UserSerializer
from webhooks.events import EventType, register

PROFILE_UPDATE = register(
    EventType("profile:update", "profile:read", "the profile changed; the full profile", UserSerializer)
)
SSH_KEY_ADD = register(EventType("ssh-key:add", "keys:read", "an SSH key was added", SSHKeySerializer))
SSH_KEY_REMOVE = register(EventType("ssh-key:remove", "keys:read", "an SSH key was removed"))
PGP_KEY_ADD = register(EventType("pgp-key:add", "keys:read", "a PGP key was added", PGPKeySerializer))
PGP_KEY_REMOVE = register(EventType("pgp-key:remove", "keys:read", "a PGP key was removed"))
REPO_CREATE = register(EventType("repo:create", "repos:read", "a repository was created", RepositorySerializer))
REPO_UPDATE = register(EventType("repo:update", "repos:read", "a repository changed", RepositorySerializer))
REPO_DELETE = register(EventType("repo:delete", "repos:read", "a repository was deleted"))
