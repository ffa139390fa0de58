"""Where a member is signed in, by the rule of Settings › Sessions.

The Sessions page lists a browser only while its session still signs the
member in: allauth's purge asks `get_session_user` of each one, so a session
that expired, or whose sign-in no longer matches (the password changed
since), is left out. `signed_in_sessions` asks it the same question, of
sessions read all at once and without writing anything back.
"""

import functools
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db.models import OuterRef, Subquery
from django.utils import timezone


@functools.cache
def _read_only_store(engine: str):
    """A session store of `engine` made from data already read: asking who it
    signs in neither loads nor changes the stored session."""

    engine_store = import_module(engine).SessionStore

    class ReadOnlyStore(engine_store):
        def __init__(self, session_key: str, session_data: str):
            super().__init__(session_key)
            # Decoded as the engine's own store (its salt names its class).
            self._session_cache = engine_store(session_key).decode(session_data)

        def flush(self):
            # The sign-in no longer matches: Django would end the session.
            self.clear()

        def cycle_key(self):
            # Signed in with a former secret key: Django would give a new key.
            pass

    return ReadOnlyStore


def signed_in_sessions(member) -> list:
    """The member's `UserSession`s that still sign them in, newest first.

    One query reads the sessions with their stored data, and one reads the
    member for each password the browsers signed in with: two whatever their
    number, one more for each time the password changed while a browser
    stayed signed in.
    """
    from allauth.core.internal.sessionkit import get_session_user
    from allauth.usersessions.models import UserSession
    from django.contrib.sessions.models import Session

    sessions = (
        UserSession.objects.filter(user=member)
        .annotate(
            session_data=Subquery(
                Session.objects.filter(
                    session_key=OuterRef("session_key"), expire_date__gt=timezone.now()
                ).values("session_data")[:1]
            )
        )
        .filter(session_data__isnull=False)
        .order_by("-created_at", "-pk")
    )
    store = _read_only_store(settings.SESSION_ENGINE)
    signs_in: dict[tuple, bool] = {}
    kept = []
    for session in sessions:
        stored = store(session.session_key, session.session_data)
        sign_in = tuple(
            stored.get(key)
            for key in (SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY)
        )
        if sign_in not in signs_in:
            user = get_session_user(stored)
            signs_in[sign_in] = user is not None and user.pk == member.pk
        if signs_in[sign_in]:
            kept.append(session)
    return kept
