"""``/settings/invites``: links that let someone sign up while ``ACCOUNT_REGISTRATION=invite``.

For operators and people with the permission ``portal.add_invite`` (anyone else: 404). Each
link works once, for ``PORTAL["INVITE_DAYS"]`` days; it is shown once (``no-store``), and
only its hash is kept. The list shows whether each was used, and by whom.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from core.client import client_ip
from portal.conf import portal_settings
from portal.forms import InviteForm
from portal.paging import page_of
from portal.services.invites import invite_allowed, invite_create, invites_of


@login_required
def invites(request: HttpRequest) -> HttpResponse:
    if not invite_allowed(request.user):
        raise Http404("no such page")
    form = InviteForm(request.POST or None)
    link = ""
    if request.method == "POST" and form.is_valid():
        issued = invite_create(created_by=request.user, note=form.cleaned_data["note"], ip=client_ip(request))
        link = request.build_absolute_uri(f"{reverse('portal:signup')}?{urlencode({'invite': issued.token})}")
        form = InviteForm()
    context = {
        "form": form,
        "link": link,
        "page": page_of(request, invites_of(user_id=cast(int, request.user.pk))),
        "mode": portal_settings().REGISTRATION,
        "days": portal_settings().INVITE_DAYS,
        "now": timezone.now(),
    }
    response = render(request, "portal/invites.html", context)
    if link:
        add_never_cache_headers(response)
    return response
