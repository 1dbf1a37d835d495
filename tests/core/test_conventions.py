"""§1 conventions through the real HTTP stack (Django test client, real PostgreSQL and Redis)."""

import json

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls")]


def assert_error_shape(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"errors"}, body
    assert body["errors"] and all("reason" in e for e in body["errors"])
    assert "detail" not in json.dumps(body)
    return body["errors"]


@pytest.mark.parametrize("path", ["/api/v1/version", "/api/v1/version/"])
def test_routes_match_with_and_without_trailing_slash(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 200
    assert response.json() == {"version": "0.1.0"}


@pytest.mark.parametrize("path", ["/api/v1/version", "/api/v1/version/", "/api/v1/test-users"])
def test_post_to_a_route_never_redirects(api_client, path):
    response = api_client.post(path, {}, format="json")
    assert response.status_code == 405
    assert "Location" not in response


def test_version_is_semver(api_client):
    major, minor, patch = api_client.get("/api/v1/version").json()["version"].split(".")
    assert all(part.isdigit() for part in (major, minor, patch))


def test_unknown_route_under_api_is_a_json_404(api_client):
    errors = assert_error_shape(api_client.get("/api/v1/no-such-thing"), 404)
    assert errors == [{"reason": "not found"}]


def test_method_not_allowed_is_a_json_405_with_allow(api_client):
    response = api_client.delete("/api/v1/version")
    assert_error_shape(response, 405)
    assert "GET" in response["Allow"]


def test_unacceptable_accept_is_a_json_406(api_client):
    assert_error_shape(api_client.get("/api/v1/version", HTTP_ACCEPT="text/plain"), 406)


def test_unhandled_exception_in_an_api_view_is_a_json_500(api_client):
    api_client.raise_request_exception = False
    assert assert_error_shape(api_client.get("/api/v1/test-boom"), 500) == [{"reason": "internal server error"}]


def test_unhandled_exception_in_a_plain_view_under_api_is_a_json_500(api_client):
    api_client.raise_request_exception = False
    assert_error_shape(api_client.get("/api/v1/test-plain-boom"), 500)


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("", "application/json"),
        ("application/yaml", "application/yaml"),
        ("text/html", "text/html"),
    ],
)
def test_accept_negotiation(api_client, accept, content_type):
    response = api_client.get("/api/v1/version", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    if content_type == "application/yaml":
        assert yaml.safe_load(response.content) == {"version": "0.1.0"}
    if content_type == "text/html":
        assert b"<html" in response.content.lower()


def test_no_accept_header_is_json_and_the_negotiation_reads_it_from_meta(api_client, rf):
    from rest_framework.renderers import JSONRenderer
    from rest_framework.request import Request

    from core.negotiation import ContentNegotiation

    assert api_client.get("/api/v1/version")["Content-Type"].startswith("application/json")
    django_request = rf.get("/api/v1/version", HTTP_ACCEPT="application/json; indent=2")
    renderer, media_type = ContentNegotiation().select_renderer(Request(django_request), [JSONRenderer()])
    assert (type(renderer), media_type) == (JSONRenderer, "application/json; indent=2")
    # request.headers copies every header into a new mapping; negotiation reads META instead
    assert "headers" not in vars(django_request)


@pytest.mark.fast_path
@pytest.mark.parametrize("accept", [None, "", "*/*", "application/json; indent=2", "application/*", "text/html,*/*;q=0.8",
                                    "application/yaml;q=0.5, application/json", "image/png", "text/*"])  # fmt: skip
@pytest.mark.parametrize("format_query", [None, "json", "yaml", "api", "xml"])
def test_a_remembered_negotiation_answers_what_drf_answers(rf, accept, format_query):
    """The choice is remembered per (format, Accept, renderer classes); asked twice, it is DRF's
    own answer both times, and a refusal is raised each time, never remembered."""
    from rest_framework.exceptions import NotAcceptable
    from rest_framework.negotiation import DefaultContentNegotiation
    from rest_framework.request import Request

    from core import negotiation
    from core.renderers import BrowsableAPIRenderer, JSONRenderer, YAMLRenderer

    class DrfAlone(negotiation.ContentNegotiation):
        select_renderer = DefaultContentNegotiation.select_renderer

    extra = {} if accept is None else {"HTTP_ACCEPT": accept}
    query = {} if format_query is None else {"format": format_query}
    for classes in ([JSONRenderer, YAMLRenderer, BrowsableAPIRenderer], [JSONRenderer]):

        def answer(negotiator, classes=classes):
            renderers = [cls() for cls in classes]
            try:
                renderer, media_type = negotiator.select_renderer(Request(rf.get("/x", query, **extra)), renderers)
            except (NotAcceptable, Http404) as error:
                return type(error).__name__
            return renderers.index(renderer), media_type

        expected = answer(DrfAlone())
        assert answer(negotiation.ContentNegotiation()) == expected
        assert answer(negotiation.ContentNegotiation()) == expected  # from the table, if it was a choice
        key = (format_query, accept, tuple(classes))
        assert (negotiation._chosen.get(key) == expected) is isinstance(expected, tuple)


def test_accept_keeps_drf_limits_on_long_headers(api_client):
    """An over-long token is skipped, not read: the tokens after it still count (DRF's rule)."""
    accept = "application/x-" + "a" * 300 + ", application/yaml"
    response = api_client.get("/api/v1/version", HTTP_ACCEPT=accept)
    assert response["Content-Type"].startswith("application/yaml")
    assert_error_shape(api_client.get("/api/v1/version", HTTP_ACCEPT="image/png"), 406)


def test_yaml_errors_keep_the_error_shape(api_client):
    response = api_client.get("/api/v1/test-users?per_page=0", HTTP_ACCEPT="application/yaml")
    assert response.status_code == 400
    assert yaml.safe_load(response.content) == {
        "errors": [{"field": "per_page", "reason": "per_page must be an integer from 1 to 100"}]
    }


def test_fields_filter_on_an_object(api_client):
    assert api_client.get("/api/v1/test-stamp?fields=at,unknown").json() == {"at": "2026-11-22T12:34:56+00:00"}


def test_fields_filter_on_each_object_of_a_page(api_client):
    get_user_model().objects.create(username="alice", email="a@example.org")
    body = api_client.get("/api/v1/test-users?fields=username").json()
    assert body["results"] == [{"username": "alice"}]
    assert set(body) == {"next", "results", "results_per_page", "total"}


def test_timestamps_are_rfc3339_utc_with_offset(api_client):
    assert api_client.get("/api/v1/test-stamp").json()["at"] == "2026-11-22T12:34:56+00:00"
    get_user_model().objects.create(username="bob")
    joined = api_client.get("/api/v1/test-users").json()["results"][0]["date_joined"]
    assert joined.endswith("+00:00") and "T" in joined and len(joined) == 25


def test_validation_errors_list_every_bad_field():
    from rest_framework.exceptions import ValidationError

    from core.errors import errors_from

    exc = ValidationError(
        {"name": ["name is required"], "events": {"0": ["unknown event"]}, "non_field_errors": ["bad"]}
    )
    assert errors_from(exc) == {
        "errors": [
            {"field": "name", "reason": "name is required"},
            {"field": "events.0", "reason": "unknown event"},
            {"reason": "bad"},
        ]
    }


class TestPagination:
    @pytest.fixture
    def users(self):
        User = get_user_model()
        User.objects.bulk_create([User(username=f"user{i:05d}") for i in range(120)])
        return list(User.objects.order_by("-id").values_list("id", flat=True))

    def test_first_page_shape(self, api_client, users):
        response = api_client.get("/api/v1/test-users")
        body = response.json()
        assert body["total"] == 120
        assert body["results_per_page"] == 50
        assert [row["id"] for row in body["results"]] == users[:50]
        assert body["next"] == str(users[50])
        assert isinstance(body["next"], str)
        assert response["Link"] == f'<http://testserver/api/v1/test-users?start={users[50]}>; rel="next"'

    @pytest.mark.parametrize("start", ["", "-1"])
    def test_empty_or_minus_one_start_is_the_first_page(self, api_client, users, start):
        body = api_client.get(f"/api/v1/test-users?start={start}").json()
        assert body["results"][0]["id"] == users[0]

    def test_start_is_inclusive(self, api_client, users):
        body = api_client.get(f"/api/v1/test-users?start={users[10]}&per_page=3").json()
        assert [row["id"] for row in body["results"]] == users[10:13]
        assert body["next"] == str(users[13])

    def test_walking_next_sees_every_item_once(self, api_client, users):
        seen, start, pages = [], None, 0
        while True:
            url = "/api/v1/test-users?per_page=7" + (f"&start={start}" if start else "")
            body = api_client.get(url).json()
            seen += [row["id"] for row in body["results"]]
            pages += 1
            start = body["next"]
            if start is None:
                break
        assert seen == users
        assert pages == 18

    def test_last_page_has_no_next_and_no_link(self, api_client, users):
        response = api_client.get(f"/api/v1/test-users?start={users[-1]}")
        assert response.json()["next"] is None
        assert "Link" not in response

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("start=abc", "start"),
            ("start=1.5", "start"),
            ("per_page=0", "per_page"),
            ("per_page=101", "per_page"),
            ("per_page=x", "per_page"),
        ],
    )
    def test_bad_parameters_are_400s_naming_the_field(self, api_client, users, query, field):
        errors = assert_error_shape(api_client.get(f"/api/v1/test-users?{query}"), 400)
        assert [e["field"] for e in errors] == [field]

    @pytest.mark.parametrize("per_page", [1, 100])
    def test_per_page_bounds_are_accepted(self, api_client, users, per_page):
        assert len(api_client.get(f"/api/v1/test-users?per_page={per_page}").json()["results"]) == per_page


def test_deep_page_costs_the_same_queries_as_page_one_and_never_offsets(api_client):
    User = get_user_model()
    User.objects.bulk_create([User(username=f"u{i:05d}") for i in range(10_000)], batch_size=2000)
    deep = User.objects.order_by("id").values_list("id", flat=True)[50]
    counts = []
    for url in ("/api/v1/test-users", f"/api/v1/test-users?start={deep}"):
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get(url).status_code == 200
        counts.append(len(queries))
        assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)
    assert counts[0] == counts[1] == 2
