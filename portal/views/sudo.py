"""``/settings/confirm``: the password again, for sudo mode (portal/sudo.py)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from portal.sudo import safe_next, sudo_confirmed


class ConfirmForm(forms.Form):
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, user: object, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):  # type: ignore[attr-defined]
            raise forms.ValidationError("That is not your password.")
        return password


@login_required
def confirm(request: HttpRequest) -> HttpResponse:
    back = safe_next(request, reverse("portal:home"))
    form = ConfirmForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        sudo_confirmed(request)
        return HttpResponseRedirect(back)
    return render(request, "portal/confirm.html", {"form": form, "next": back})
