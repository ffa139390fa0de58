"""The test suite: fast hashing, in-memory email and cache, immediate tasks.

Runs on SQLite by default, on PostgreSQL when DATABASE_URL is set and with the
Redis cache when REDIS_URL is set.
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, REDIS_URL, database_from_env

DEBUG = False
SECRET_KEY = "rapport-test-secret-key-not-for-production"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if not REDIS_URL:  # with REDIS_URL set, the suite exercises the Redis cache
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DATABASES = {"default": database_from_env(BASE_DIR / "db.test.sqlite3")}
DATABASES["default"]["TEST"] = {"NAME": None}
MEDIA_ROOT = BASE_DIR / ".test-media"
ACCOUNT_RATE_LIMITS = False
LOGGING = {"version": 1, "disable_existing_loggers": False}
WHITENOISE_AUTOREFRESH = True
