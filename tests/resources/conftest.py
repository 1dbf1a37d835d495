from pathlib import Path

import pytest

from auth.services import api_key_create

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


@pytest.fixture
def headers_for():
    """``headers_for(user, scopes)``: Authorization headers with a real API key."""

    def make(user, scopes=("*",)):
        return {"HTTP_AUTHORIZATION": f"token {api_key_create(user=user, name='t', scopes=list(scopes)).secret}"}

    return make


@pytest.fixture
def alice(user, headers_for):
    return headers_for(user)


@pytest.fixture
def bob(other_user, headers_for):
    return headers_for(other_user)
