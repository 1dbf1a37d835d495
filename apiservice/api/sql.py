"""Hand-written SQL on the request path: the cursor for statements run on every request.

``prepared_cursor()`` is ``connection.cursor()`` whose statements PostgreSQL parses and plans
once per connection (the backend in ``apiservice/db`` provides it; with any other backend,
or ``DATABASE_PREPARED_STATEMENTS=0``, it is an ordinary cursor). Use it for a few fixed
statements only: each distinct text is prepared on every connection that runs it.
"""

from __future__ import annotations

from django.db import connection
from django.db.backends.utils import CursorWrapper


def prepared_cursor() -> CursorWrapper:
    make = getattr(connection, "prepared_cursor", None)
    return make() if make is not None else connection.cursor()
