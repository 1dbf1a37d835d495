"""Django's PostgreSQL backend with a health check that costs no round trip while the connection is quiet.

``DATABASES["default"]["ENGINE"] = "core.db"`` (set by :func:`core.env.database_config`).
"""
