"""Every API route matches with and without a trailing slash (§1.1)."""

from django.urls import URLPattern, URLResolver, get_resolver


def api_patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from api_patterns(entry, route)
        elif isinstance(entry, URLPattern) and route.startswith("api/"):
            yield route, entry


def test_there_are_api_routes():
    assert len(list(api_patterns())) >= 8


def test_every_api_route_makes_the_trailing_slash_optional():
    strict = [route for route, entry in api_patterns() if not str(entry.pattern).endswith("/?$")]
    assert not strict, f"use core.routing.route() for: {strict}"


# A value for every named group the API's routes capture.
SAMPLES = {
    "username": "alice", "name": "my-repo", "pk": "7", "blob": "AAAAC3NzaC1lZDI1NTE5", "fingerprint": "ABCD1234",
    "client_id": "client-1", "uuid": "0b6f3c2e-8a4d-4c1e-9f7a-2d5e6b7c8d9e", "webhook_id": "3",
    "delivery_id": "0b6f3c2e-8a4d-4c1e-9f7a-2d5e6b7c8d9e",
}  # fmt: skip


def test_no_api_route_is_shadowed_by_one_tried_before_it():
    """The URLconf orders routes by traffic (config/urls.py), which is safe only while no
    earlier pattern matches a later one's paths: each route resolves back to itself."""
    from django.urls import resolve, reverse

    for route, entry in api_patterns():
        if entry.name is None:
            continue
        kwargs = {group: SAMPLES[group] for group in entry.pattern.regex.groupindex}
        path = reverse(entry.name, kwargs=kwargs)
        assert resolve(path).url_name == entry.name, (route, path)
        assert resolve(path + "/" if not path.endswith("/") else path).url_name == entry.name
