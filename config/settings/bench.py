"""Benchmarks (`make bench`): production-like, on plain HTTP over loopback.

DEBUG is off and the middleware is the production stack; the URLs add the bare
view the figures divide by (`contacts.perf.urls`). The database is
`DATABASE_URL` if set, else a SQLite file per size under `bench/`; the cache is
local memory, so nothing but the database is shared between workers.
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, database_from_env, env

BENCH = True
BENCH_DIR = BASE_DIR / "bench"
BENCH_SIZE = env("BENCH_SIZE", "ci")

DEBUG = False
SECRET_KEY = env("SECRET_KEY", "rapport-bench-secret-key-not-for-production")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "contacts.perf.urls"
DATABASES = {"default": database_from_env(BENCH_DIR / f"rapport-{BENCH_SIZE}.sqlite3")}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The send action is posted every round (and rolled back); the per-minute count
# in the cache is not rolled back, so the limit would refuse it after 30 rounds.
RAPPORT_MESSAGES_PER_MINUTE = 1_000_000
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Static files straight from the source folders (no collectstatic needed).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
