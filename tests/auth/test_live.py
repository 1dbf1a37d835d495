"""Credentials on a real gunicorn: the exchange with `requests`, logs, revocation across processes."""

import time

import pytest
import requests


@pytest.fixture
def live_key(transactional_db, django_user_model, make_key):
    return make_key(django_user_model.objects.create_user("carol"), name="live")


def test_full_exchange_on_a_real_server(gunicorn, live_key):
    response = requests.post(f"{gunicorn.url}/api/v1/authenticate", json={"apiKey": live_key.secret}, timeout=10)
    assert response.status_code == 200
    token = response.json()["token"]
    keys = requests.get(f"{gunicorn.url}/api/v1/keys", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert keys.status_code == 200
    assert keys.json()["total"] == 1


def test_no_secret_reaches_the_logs(gunicorn, live_key):
    url = gunicorn.url
    token = requests.post(f"{url}/api/v1/authenticate?apiKey={live_key.secret}", timeout=10).json()["token"]
    requests.post(f"{url}/api/v1/authenticate", json={"apiKey": live_key.secret}, timeout=10)
    requests.get(f"{url}/api/v1/keys", headers={"Authorization": f"token {live_key.secret}"}, timeout=10)
    requests.get(f"{url}/api/v1/keys", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    requests.post(f"{url}/api/v1/authenticate?apiKey={live_key.secret}x", timeout=10)  # a 401, logged as such
    time.sleep(0.5)
    output = gunicorn.output()
    assert "/api/v1/authenticate?apiKey=***" in output  # the access log has the line, masked
    secret_part = live_key.secret.split("_")[2]
    assert secret_part not in output
    assert token not in output and token.split(".")[2] not in output


def test_deleting_a_key_revokes_its_jwts_in_another_process_within_a_second(live_server_factory, live_key):
    first, second = live_server_factory(workers=1), live_server_factory(workers=1)
    token = requests.post(f"{first.url}/api/v1/authenticate", json={"apiKey": live_key.secret}, timeout=10).json()[
        "token"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{first.url}/api/v1/keys", headers=headers, timeout=10).status_code == 200
    deleted = requests.delete(
        f"{second.url}/api/v1/keys/{live_key.api_key.pk}",
        headers={"Authorization": f"token {live_key.secret}"},
        timeout=10,
    )
    assert deleted.status_code == 204
    time.sleep(1.0)
    refused = requests.get(f"{first.url}/api/v1/keys", headers=headers, timeout=10)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="api"'
