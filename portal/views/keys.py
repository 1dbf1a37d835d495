"""``/settings/ssh-keys`` and ``/settings/pgp-keys``: your public keys, added by pasting one,
listed with fingerprints, removed. One pair of views for both, parametrised as the API's are
(``resources.views.keys.KeyKind``: the same selectors, services and messages)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.client import client_ip
from core.errors import ServiceError
from portal.inputs import Errors
from portal.paging import page_of
from portal.views.common import confirm_page, owner_id, page_view
from resources.views.keys import PGP, SSH, KeyKind


@dataclass(frozen=True)
class KeyPage:
    """What the SSH and PGP pages differ in beside the API's :class:`KeyKind`."""

    kind: KeyKind
    url_name: str  # the list's
    noun: str  # in messages: "The SSH key <fingerprint> was added."
    template: str


SSH_PAGE = KeyPage(SSH, "portal:ssh_keys", "SSH key", "portal/ssh_keys.html")
PGP_PAGE = KeyPage(PGP, "portal:pgp_keys", "PGP key", "portal/pgp_keys.html")


@page_view
def key_list(request: HttpRequest, keys: KeyPage) -> HttpResponse:
    if request.method == "POST":
        errors = add(request, keys)
        if not errors:
            return redirect(keys.url_name)
    else:
        errors = {}
    context = {
        "page": page_of(request, keys.kind.list(owner_id=owner_id(request))),
        "errors": errors,
        "text": request.POST.get(keys.kind.field, "") if errors else "",
    }
    return render(request, keys.template, context)


def add(request: HttpRequest, keys: KeyPage) -> Errors:
    """Add the pasted key; the errors to show (the text's under ``key``), none when it was added."""
    kind = keys.kind
    text = request.POST.get(kind.field, "")
    if not text.strip():
        return {"key": kind.missing}
    try:
        key = kind.add(owner=request.user, text=text, ip=client_ip(request))
    except ServiceError as exc:
        return {"key" if exc.field in (kind.field, None) else exc.field: exc.reason}
    messages.success(request, f"The {keys.noun} {key.fingerprint} was added.")
    return {}


@page_view
def key_remove(request: HttpRequest, keys: KeyPage, pk: int) -> HttpResponse:
    key = keys.kind.get(owner_id=owner_id(request), key_id=pk)
    if key is None:
        raise Http404
    if request.method == "POST":
        keys.kind.remove(key=key, ip=client_ip(request))
        messages.success(request, f"The {keys.noun} {key.fingerprint} was removed.")
        return redirect(keys.url_name)
    return confirm_page(
        request,
        title=f"Remove {keys.noun}",
        question=f"Remove the {keys.noun} {key.fingerprint}?",
        detail="It no longer identifies you from now on. You can add it again later.",
        button="Remove key",
        cancel=keys.url_name,
    )
