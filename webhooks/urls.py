"""URL routes of webhooks; filled by its issue."""

urlpatterns: list = []
