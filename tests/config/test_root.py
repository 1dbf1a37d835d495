"""The API root (§1.11): links to every resource in JSON, YAML and HTML; ``/`` redirects there."""

import re

import pytest
import yaml

from config.views import ROOT_LINKS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1"])
def test_root_lists_every_resource_with_an_absolute_link(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "apiservice" and body["version"] == "0.1.0"
    assert set(body["links"]) == set(ROOT_LINKS)
    assert {"schema", "docs", "redoc", "version", "rate-limit", "keys", "repos", "webhooks"} <= set(body["links"])
    assert body["links"]["docs"] == "http://testserver/api/v1/docs"


def test_every_link_of_the_root_answers(api_client, auth_headers):
    links = api_client.get("/api/v1/").json()["links"]
    for name, url in links.items():
        response = api_client.get(url, **auth_headers)
        # authenticate is POST only; health may be 503 if a broker is slow, never a 404
        assert response.status_code in ({405} if name == "authenticate" else {200}), (name, response.status_code)


def test_root_in_yaml(api_client):
    response = api_client.get("/api/v1/", HTTP_ACCEPT="application/yaml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/yaml")
    assert yaml.safe_load(response.content)["links"]["schema"] == "http://testserver/api/v1/schema"


def test_fields_applies_to_the_root(api_client):
    assert api_client.get("/api/v1/?fields=version").json() == {"version": "0.1.0"}


def test_slash_redirects_to_the_root(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/api/v1/"
    assert client.get("/?format=yaml")["Location"] == "/api/v1/?format=yaml"


def test_favicon_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO header


# Pages whose views carry reStructuredText-style docstrings (``code``, :class:`...`).
HTML_PAGES = ["/api/v1/", "/api/v1/version", "/api/v1/rate-limit", "/api/v1/keys", "/api/v1/repos",
              "/api/v1/user/ssh-keys", "/api/v1/webhooks/events", "/api/v1/user/audit-log"]  # fmt: skip


@pytest.mark.parametrize("path", HTML_PAGES)
def test_browsable_pages_carry_the_service_name_and_render_docstrings_as_markdown(api_client, auth_headers, path):
    response = api_client.get(path, HTTP_ACCEPT="text/html", **auth_headers)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Django REST framework" not in html and "django-rest-framework.org" not in html
    assert re.search(r'<a class="navbar-brand" href="/api/v1/">apiservice</a>', html)
    assert re.search(r"<title>[^<]*apiservice</title>", html)
    description = html.split('<div class="pull-left">', 1)[1].split("</div>", 1)[0]
    assert "``" not in description and ":class:" not in description
    assert 'rel="icon"' in html


def test_root_page_shows_its_docstring_as_markdown(api_client):
    html = api_client.get("/api/v1/", HTTP_ACCEPT="text/html").content.decode()
    assert "<h1>API root</h1>" in html and "<title>API root – apiservice</title>" in html
    assert '<a href="/api/v1/docs">docs</a>' in html
    assert "<code>POST /api/v1/authenticate</code>" in html
