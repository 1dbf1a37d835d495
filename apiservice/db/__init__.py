"""Django's PostgreSQL backend with a health check that costs no round trip while the connection is quiet.

``DATABASES["default"]["ENGINE"] = "apiservice.db"`` (set by :func:`apiservice.env.database_config`).
"""
