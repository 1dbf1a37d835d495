"""URL routes of ratelimit; filled by its issue."""

urlpatterns: list = []
