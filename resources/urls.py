"""URL routes of resources; filled by its issue."""

urlpatterns: list = []
