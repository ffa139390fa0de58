"""Production: every secret and host from the environment, HTTPS everywhere.

Passes `manage.py check --deploy --fail-level WARNING`.
"""

import re
from email.utils import formataddr
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    BASE_DIR,
    INSTALLED_APPS,
    RAPPORT_SITE_NAME,
    database_from_env,
    env,
    env_bool,
    env_int,
    env_list,
)

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("Set SECRET_KEY to a long random value.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

# Emails sent by the worker have no request to take the site's address from:
# without it, every link in them would lead to the development address.
RAPPORT_SITE_URL = (env("RAPPORT_SITE_URL") or "").rstrip("/")
if not re.fullmatch(r"https://[^/\s]+(/\S*)?", RAPPORT_SITE_URL):
    raise ImproperlyConfigured(
        "Set RAPPORT_SITE_URL to the public address of the site, "
        "e.g. https://rapport.example.org."
    )
# Account emails link there too, whichever of ALLOWED_HOSTS the request
# came to (an internal name, an alias).
RAPPORT_ACCOUNT_LINKS_TO_SITE_URL = True

# The sender of every email: unless set, an address at the site's own domain
# under the site's name (a `.localhost` sender is refused or filtered as spam).
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL") or formataddr(
    (RAPPORT_SITE_NAME, f"no-reply@{urlsplit(RAPPORT_SITE_URL).hostname}")
)
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
DATABASES = {"default": database_from_env(BASE_DIR / "db.sqlite3")}

# Background tasks (large contact imports, notification emails) wait in a
# database table until `manage.py db_worker` runs them (README, "Production").
INSTALLED_APPS = [*INSTALLED_APPS, "django_tasks_db"]
TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Every request reaches the app from the proxy's address. The visitor's is the
# one the proxy appends to X-Forwarded-For, counting this many proxies from the
# end (what a visitor writes in the header themselves comes before it): the
# sign-in, sign-up and password reset limits count each visitor on their own,
# and the staff see where sign-ups came from. 0 when nothing stands in front.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Host-csrftoken"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
ADMINS = [("Rapport admins", address) for address in env_list("ADMIN_EMAILS")]
