import pytest

from auth.services import api_key_create


@pytest.fixture
def make_key(user):
    def make(owner=None, scopes=("*",), **kwargs):
        return api_key_create(user=owner or user, name=kwargs.pop("name", "test"), scopes=list(scopes), **kwargs)

    return make


@pytest.fixture
def api_key(make_key):
    """An issued key (``.secret`` is the text, ``.api_key`` the row) with every scope."""
    return make_key()


@pytest.fixture
def auth_headers(api_key):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_key.secret}"}
