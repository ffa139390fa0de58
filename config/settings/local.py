"""Development on one machine: SQLite, emails printed to the terminal."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
INTERNAL_IPS = ["127.0.0.1"]
EMAIL_BACKEND = "config.mail.ReadableConsoleBackend"

# Serve static files straight from the source folders, no collectstatic needed.
WHITENOISE_AUTOREFRESH = True
