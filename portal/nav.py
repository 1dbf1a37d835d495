"""The settings pages' one navigation: every page of the portal is listed here, in order."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class Item:
    url_name: str
    label: str


ITEMS = (
    Item("portal:profile", "Profile"),
    Item("portal:security", "Security"),
    Item("portal:api_keys", "API keys"),
    Item("portal:app_tokens", "App tokens"),
    Item("portal:oauth_apps", "OAuth applications"),
    Item("portal:authorized_apps", "Authorized applications"),
    Item("portal:ssh_keys", "SSH keys"),
    Item("portal:pgp_keys", "PGP keys"),
    Item("portal:webhooks", "Webhooks"),
    Item("portal:audit_log", "Audit log"),
)


def navigation(request: HttpRequest) -> dict[str, object]:
    """A context processor: ``settings_nav``, each page's label, URL and whether it is the current one."""
    if not request.path.startswith("/settings/"):
        return {}
    items = []
    for item in ITEMS:
        url = reverse(item.url_name)
        items.append({"label": item.label, "url": url, "current": request.path.startswith(url)})
    return {"settings_nav": items}
