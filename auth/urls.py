"""URL routes of auth; filled by its issue."""

urlpatterns: list = []
