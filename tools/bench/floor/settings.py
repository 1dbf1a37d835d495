"""The floor: a minimal Django app returning a constant JSON body, served like the real one."""

SECRET_KEY = "bench-floor-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bench.floor.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
USE_TZ = True
