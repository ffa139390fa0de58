"""Settings shared by every environment; each environment module refines these."""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    """Return an environment variable, treating an empty value as unset."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value is not None else default


def env_list(name: str, default: str = "") -> list[str]:
    return [
        item.strip() for item in (env(name, default) or "").split(",") if item.strip()
    ]


SECRET_KEY = env("SECRET_KEY", "django-insecure-rapport-development-key-change-me")
# Former keys, while links signed with them still circulate; the addresses
# that stopped invitation emails are found under them too.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
DEBUG = False
ALLOWED_HOSTS: list[str] = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "config.apps.RapportAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "connections",
    "contacts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "connections.middleware.ModerationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.HtmxLoginRedirectMiddleware",
    "config.middleware.HtmxMessagesMiddleware",
    "config.middleware.PrivatePagesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
                "connections.context_processors.nav_counts",
            ],
            "builtins": ["django.templatetags.i18n", "django.templatetags.static"],
        },
    },
]

# Database: SQLite (WAL) by default, anything dj-database-url understands via
# DATABASE_URL. SQLite writers take the lock up front (IMMEDIATE) so concurrent
# requests queue on the busy timeout instead of failing mid-transaction.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=20000;"
        "PRAGMA cache_size=-20000;"
        "PRAGMA temp_store=MEMORY;"
    ),
}


def database_from_env(default_sqlite_path: Path | str) -> dict:
    url = env("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    else:
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": default_sqlite_path,
        }
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    return config


DATABASES = {"default": database_from_env(BASE_DIR / "db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: shared by every worker (rate limits live here). Redis when REDIS_URL is
# set, otherwise a database table that `manage.py createcachetable` creates.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "rapport"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "rapport_cache",
        }
    }

AUTH_USER_MODEL = "connections.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{VALIDATORS}.UserAttributeSimilarityValidator"},
    {
        "NAME": f"{VALIDATORS}.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": f"{VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{VALIDATORS}.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-allauth: email is the login, verification is mandatory, and no answer
# ever tells whether an address belongs to a member.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "connections.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_MAX_EMAIL_ADDRESSES = 2
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Adding, changing or removing an email address asks for the password (good
# for ACCOUNT_REAUTHENTICATION_TIMEOUT, 5 minutes): the address is where a
# password reset goes, so a browser left signed in must not be enough.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
ACCOUNT_ADAPTER = "connections.adapters.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    # Reset emails to one address: a few an hour, so no one can flood an inbox.
    "reset_password": "20/m/ip,5/h/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Rapport"
MFA_RECOVERY_CODE_COUNT = 10
USERSESSIONS_TRACK_ACTIVITY = False

SESSION_ENGINE = "config.sessions"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

# Security headers that hold in every environment.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: everything comes from this origin, scripts carry the
# per-request nonce, no inline styles or event handlers anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024

FORM_RENDERER = "config.forms.FormRenderer"

TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

EMAIL_BACKEND = "config.mail.ReadableConsoleBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Rapport <no-reply@rapport.localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Product rules (../DESIGN.md): every number an operator may change lives here.
RAPPORT_SITE_NAME = env("RAPPORT_SITE_NAME", "Rapport")

# The address of the site in emails sent outside a request (notifications).
RAPPORT_SITE_URL = env("RAPPORT_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Whether account emails (verification, password reset) link to
# RAPPORT_SITE_URL too, rather than to the host the request came to: always
# in production; in development the request's host, so `make run PORT=…`
# gets working links.
RAPPORT_ACCOUNT_LINKS_TO_SITE_URL = env_bool("RAPPORT_ACCOUNT_LINKS_TO_SITE_URL")

# Profiles (DESIGN.md §6).
# The largest profile photo a member may upload, in bytes.
RAPPORT_PROFILE_PHOTO_MAX_BYTES = env_int(
    "RAPPORT_PROFILE_PHOTO_MAX_BYTES", 5 * 1024 * 1024
)
# Days a former handle keeps redirecting to its member's profile; it is
# never given to anyone else.
RAPPORT_HANDLE_REDIRECT_DAYS = env_int("RAPPORT_HANDLE_REDIRECT_DAYS", 365)

# Connections and invitations (DESIGN.md §3–§5).
# Invitations a member may send in any rolling 7 days (email invitations count).
RAPPORT_INVITATIONS_PER_WEEK = env_int("RAPPORT_INVITATIONS_PER_WEEK", 100)
# Invitations a member may have waiting for an answer at once.
RAPPORT_INVITATIONS_PENDING_MAX = env_int("RAPPORT_INVITATIONS_PENDING_MAX", 500)
# Days before the same sender may invite the same member again after a
# withdraw, an ignore or "I don't know this person".
RAPPORT_INVITATION_COOLDOWN_DAYS = env_int("RAPPORT_INVITATION_COOLDOWN_DAYS", 21)
# Days after which an unanswered invitation expires.
RAPPORT_INVITATION_EXPIRY_DAYS = env_int("RAPPORT_INVITATION_EXPIRY_DAYS", 90)
# Connections a member may have; neither side may accept past it.
RAPPORT_CONNECTIONS_MAX = env_int("RAPPORT_CONNECTIONS_MAX", 30_000)
# "I don't know this person" answers within the window that pause the sender,
# and for how long.
RAPPORT_UNKNOWN_ANSWERS_BEFORE_PAUSE = env_int(
    "RAPPORT_UNKNOWN_ANSWERS_BEFORE_PAUSE", 3
)
RAPPORT_UNKNOWN_ANSWERS_WINDOW_DAYS = env_int("RAPPORT_UNKNOWN_ANSWERS_WINDOW_DAYS", 7)
RAPPORT_SENDING_PAUSE_DAYS = env_int("RAPPORT_SENDING_PAUSE_DAYS", 7)
# Days an invitation link sent by email stays valid.
RAPPORT_EMAIL_INVITATION_DAYS = env_int("RAPPORT_EMAIL_INVITATION_DAYS", 30)
# Messages one member may send in a minute (counted in the shared cache).
RAPPORT_MESSAGES_PER_MINUTE = env_int("RAPPORT_MESSAGES_PER_MINUTE", 30)
# Reports one member may send in a clock hour (a repeated report is not
# counted): each asks the staff's time.
RAPPORT_REPORTS_PER_HOUR = env_int("RAPPORT_REPORTS_PER_HOUR", 20)
# Messages per page of a thread and conversations per page of the inbox.
RAPPORT_MESSAGES_PAGE_SIZE = 50
# Seconds between two checks for new messages in an open thread, and for the
# unread badge on every page.
RAPPORT_MESSAGES_POLL_SECONDS = 3
RAPPORT_MESSAGES_BADGE_POLL_SECONDS = 10
# At most one email about unread messages per conversation in this many minutes.
RAPPORT_MESSAGES_EMAIL_EVERY_MINUTES = env_int(
    "RAPPORT_MESSAGES_EMAIL_EVERY_MINUTES", 60
)
# People you may know: sampled from the member's most recent connections and
# each of their most recent connections, so the work is bounded at any degree.
RAPPORT_SUGGESTIONS_FROM_CONNECTIONS = 200
RAPPORT_SUGGESTIONS_PER_CONNECTION = 20

# Updates and the depth of each connection (issue 10).
# Updates per page of Home and of a profile; comments per page of an update.
RAPPORT_UPDATES_PAGE_SIZE = 20
RAPPORT_COMMENTS_PAGE_SIZE = 50
# Posting puts the update in each connection's feed: within the request for
# members with up to this many connections, by a background task beyond.
RAPPORT_FEED_INLINE_FAN_OUT = 2000
# When two members connect, this many of each one's latest updates join the
# other's feed.
RAPPORT_FEED_BACKFILL = 20
# Days after which an interaction counts half as much towards the depth of a
# connection (and a quarter after twice as long).
RAPPORT_DEPTH_HALF_LIFE_DAYS = env_int("RAPPORT_DEPTH_HALF_LIFE_DAYS", 90)
# The window the "Why?" of a depth counts interactions in.
RAPPORT_DEPTH_WINDOW_DAYS = 90
# Weight of each kind of interaction, and the scores from which the meter
# shows 1, 2, 3, 4 and 5 steps.
RAPPORT_DEPTH_WEIGHTS = {"message": 1.0, "comment": 3.0, "like": 1.0}
RAPPORT_DEPTH_STEPS = (0.5, 3.0, 10.0, 25.0, 60.0)
# Losing touch: close or professional connections quiet for this long.
RAPPORT_LOSING_TOUCH_MONTHS = env_int("RAPPORT_LOSING_TOUCH_MONTHS", 6)

# Contacts (each member's private address book).
# Most contacts one member may keep, the trash included.
RAPPORT_CONTACTS_MAX = env_int("RAPPORT_CONTACTS_MAX", 25_000)
# Days a deleted contact stays restorable in Trash before `purge_contacts_trash`
# deletes it for good.
RAPPORT_CONTACTS_TRASH_DAYS = env_int("RAPPORT_CONTACTS_TRASH_DAYS", 30)
# Contacts per page of the list and of Trash.
RAPPORT_CONTACTS_PAGE_SIZE = 50
# Most emails, phones, addresses or websites of each kind on one contact.
RAPPORT_CONTACT_DETAILS_MAX = 20
# Most labels one member may create.
RAPPORT_CONTACT_LABELS_MAX = 200
# Most contacts one bulk action (add or remove a label, delete) may touch.
RAPPORT_CONTACTS_BULK_MAX = 500
# Region used to read phone numbers typed without a country code until the
# member picks their own (ISO 3166 code, e.g. "GB", "FR").
RAPPORT_CONTACTS_PHONE_REGION = env("RAPPORT_CONTACTS_PHONE_REGION", "US")

# Contacts import and export.
# Largest address book file a member may upload (bytes), and most contacts in it.
RAPPORT_IMPORT_MAX_BYTES = env_int("RAPPORT_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
RAPPORT_IMPORT_MAX_CONTACTS = env_int("RAPPORT_IMPORT_MAX_CONTACTS", 25_000)
# Files up to this size are read within the upload request, and imports or
# undos of up to this many contacts run within the confirming request; larger
# ones run as background tasks while the page shows their progress.
RAPPORT_IMPORT_INLINE_BYTES = env_int("RAPPORT_IMPORT_INLINE_BYTES", 256 * 1024)
RAPPORT_IMPORT_INLINE_CONTACTS = env_int("RAPPORT_IMPORT_INLINE_CONTACTS", 1_000)
# Days an uploaded file that was never imported (a preview left open, a
# failure) is kept before `purge_stale_imports` forgets it.
RAPPORT_IMPORT_KEEP_DAYS = env_int("RAPPORT_IMPORT_KEEP_DAYS", 7)
# Minutes after which reading, importing or undoing that has not finished is
# taken as stopped (a worker restarted, or none is running): the import says
# so and the member can go on. Each is one transaction, so nothing was saved.
RAPPORT_IMPORT_WORK_MINUTES = env_int("RAPPORT_IMPORT_WORK_MINUTES", 30)
# Uploaded files one member may have waiting unsaved (previews, failures) at
# once; a new upload past it asks them to import or cancel one first.
RAPPORT_IMPORTS_WAITING_MAX = env_int("RAPPORT_IMPORTS_WAITING_MAX", 5)
# How often one member may upload an address book file, download an export
# (contacts or connections; one contact's card is not counted) and download
# the archive of everything they keep (Settings › Your data), per clock hour.
RAPPORT_IMPORTS_PER_HOUR = env_int("RAPPORT_IMPORTS_PER_HOUR", 20)
RAPPORT_EXPORTS_PER_HOUR = env_int("RAPPORT_EXPORTS_PER_HOUR", 60)
RAPPORT_ARCHIVES_PER_HOUR = env_int("RAPPORT_ARCHIVES_PER_HOUR", 5)
# Contacts read from the database per round trip while exporting.
RAPPORT_EXPORT_CHUNK = 500
