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
    assert not strict, f"use apiservice.api.routing.route() for: {strict}"
