"""Sessions in the database, looked up only by a key this site could have made."""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

# Django makes keys of 32 of these characters; its column holds 40.
KEY_CHARS = frozenset(VALID_KEY_CHARS)
KEY_LENGTH_MAX = 40


class SessionStore(DatabaseSessionStore):
    """Django's database sessions, reading a session cookie only when its key
    is one Django could have made.

    The cookie is the browser's to write, and the cookie parser unquotes it:
    `sessionid="\\000\\000…"` is a key of NUL characters, which reached the
    query that loads the session, and PostgreSQL refuses a NUL in any text, so
    every page was a server error. Any other key is no session, as an expired
    one is.
    """

    def _validate_session_key(self, key):
        return (
            bool(key) and 8 <= len(key) <= KEY_LENGTH_MAX and KEY_CHARS.issuperset(key)
        )
