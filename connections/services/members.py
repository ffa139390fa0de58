"""Writes about members themselves."""

import re
import unicodedata

from django.contrib.auth import get_user_model

HANDLE_MAX = 30


def handle_slug(text: str) -> str:
    """Lowercase ASCII letters, digits and single hyphens from any text."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.split("@", 1)[0].lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:HANDLE_MAX].strip("-")


def handle_available(*, base: str) -> str:
    """A free handle derived from a name or email: "alice-martin", "alice-martin-2"…"""
    User = get_user_model()
    stem = handle_slug(base)
    if len(stem) < 3:
        stem = (stem + "-member").strip("-")
    stem = stem[: HANDLE_MAX - 6].strip("-")
    from connections.models import RetiredHandle

    taken = set(
        User.objects.filter(handle__startswith=stem).values_list("handle", flat=True)
    ) | set(
        RetiredHandle.objects.filter(handle__startswith=stem).values_list(
            "handle", flat=True
        )
    )
    if stem not in taken:
        return stem
    suffix = 2
    while f"{stem}-{suffix}" in taken:
        suffix += 1
    return f"{stem}-{suffix}"
