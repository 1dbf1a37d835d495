"""The account pages' forms: input only; every rule that needs the database is a service's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm

from accounts.models import User


class SignInForm(forms.Form):
    username = forms.CharField(label="Username or email", max_length=254, strip=True)
    password = forms.CharField(label="Password", strip=False, max_length=4096)


class CodeForm(forms.Form):
    code = forms.CharField(label="Code", max_length=32, strip=True)


class SignUpForm(UserCreationForm):
    """Django's (the username's rules, the password typed twice and checked by the validators),
    with the email address, which is required: it is confirmed before the first sign-in."""

    email = forms.EmailField(label="Email address", max_length=254)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class EmailForm(forms.Form):
    email = forms.EmailField(label="New email address", max_length=254)


class DisableTwoFactorForm(forms.Form):
    password = forms.CharField(label="Password", strip=False, max_length=4096)
    code = forms.CharField(label="Code from your app, or a recovery code", max_length=32)


class DeleteAccountForm(forms.Form):
    username = forms.CharField(label="Type your username to confirm", max_length=150)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_username(self) -> str:
        typed: str = self.cleaned_data["username"]
        if typed != self.user.username:
            raise forms.ValidationError(f"Type {self.user.username} exactly, to show you mean it.")
        return typed


class InviteForm(forms.Form):
    note = forms.CharField(label="Who is it for? (optional, shown to you only)", max_length=200, required=False)


class ResetForm(PasswordResetForm):
    """Django's: a link to each active account with that address and a password; the same
    answer whether there is one or not (nothing tells whether an address has an account)."""


def password_help() -> str:
    return " ".join(password_validation.password_validators_help_texts())
