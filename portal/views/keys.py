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
from portal.forms import Errors
from portal.paging import page_of
from portal.views.common import confirm_page, owner_id, page_view
from resources.views.keys import PGP, SSH, KeyKind


@dataclass(frozen=True)
class KeyPage:
    kind: KeyKind
    url_name: str  # the list page
    title: str
    noun: str
    template: str


SSH_PAGE = KeyPage(SSH, "portal:ssh_keys", "SSH keys", "SSH key", "portal/ssh_keys.html")
PGP_PAGE = KeyPage(PGP, "portal:pgp_keys", "PGP keys", "PGP key", "portal/pgp_keys.html")


@page_view
def key_list(request: HttpRequest, page: KeyPage) -> HttpResponse:
    if request.method == "POST":
        errors = add(request, page)
        if not errors:
            return redirect(page.url_name)
    else:
        errors = {}
    context = {
        "page": page_of(request, page.kind.list(owner_id=owner_id(request))),
        "errors": errors,
        "text": request.POST.get(page.kind.field, "") if errors else "",
    }
    return render(request, page.template, context)


def add(request: HttpRequest, page: KeyPage) -> Errors:
    """Add the pasted key; the errors to show (the text's under ``key``), none when it was added."""
    kind = page.kind
    text = request.POST.get(kind.field, "")
    if not text.strip():
        return {"key": kind.missing}
    try:
        key = kind.add(owner=request.user, text=text, ip=client_ip(request))
    except ServiceError as exc:
        return {"key" if exc.field in (kind.field, None) else exc.field: exc.reason}
    messages.success(request, f"The {page.noun} {key.fingerprint} was added.")
    return {}


@page_view
def key_remove(request: HttpRequest, page: KeyPage, pk: int) -> HttpResponse:
    key = page.kind.get(owner_id=owner_id(request), key_id=pk)
    if key is None:
        raise Http404
    if request.method == "POST":
        page.kind.remove(key=key, ip=client_ip(request))
        messages.success(request, f"The {page.noun} {key.fingerprint} was removed.")
        return redirect(page.url_name)
    return confirm_page(
        request,
        title=f"Remove {page.noun}",
        question=f"Remove the {page.noun} {key.fingerprint}?",
        detail="It no longer identifies you from now on. You can add it again later.",
        button="Remove key",
        cancel=page.url_name,
    )
