"""The repository page's indexes in ascending order, for its row-comparison range
(resources.selectors.OWN_PAGE). Built and dropped concurrently: no lock on a live table."""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("resources", "0002_owner_counts")]

    operations = [
        AddIndexConcurrently("repository", models.Index(fields=["owner", "id"], name="repo_owner_id")),
        AddIndexConcurrently(
            "repository", models.Index(fields=["owner", "visibility", "id"], name="repo_owner_vis_id")
        ),
        RemoveIndexConcurrently("repository", "repo_owner_id_desc"),
        RemoveIndexConcurrently("repository", "repo_owner_vis_id_desc"),
    ]
