"""Finding members in the admin through indexes, never a substring scan.

Staff type an email, a handle or words of a name. A member is found by:

- their whole email, case ignored (the unique index on the lowered email),
  when what is typed has an "@" inside;
- their whole handle, with or without the "@" (the unique handle index);
- words: each word typed starts a word of their name, handle or headline
  (the member search words, `MemberSearchTerm`, one index range per word),
  so "ali mar" finds Alice Martin.

Lists of rows about members (connections, invitations, reports…) search the
members the same way, through their member columns.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.functions import Lower

from connections.models import MemberSearchTerm
from connections.search import SEARCH_WORDS_MAX, prefix_range, search_words


def matching_member_ids(term: str):
    """The ids of the members `term` finds (a subquery), or None if blank.

    A union of index lookups, so that each database reads the few rows that
    match (an OR of subqueries would make PostgreSQL walk every member).
    """
    term = term.strip()
    if not term:
        return None
    members = get_user_model().objects.order_by()
    if "@" in term.strip("@"):
        return (
            members.annotate(email_lower=Lower("email"))
            .filter(email_lower=term.lower())
            .values("pk")
        )
    ids = members.filter(handle=term.removeprefix("@").lower()).values("pk")
    words = search_words(" ".join(term.split()[:SEARCH_WORDS_MAX]))
    by_words = None
    for word in dict.fromkeys(words[:SEARCH_WORDS_MAX]):
        low, high = prefix_range(word)
        having = MemberSearchTerm.objects.filter(term__gte=low, term__lt=high).values(
            "member_id"
        )
        by_words = having if by_words is None else by_words.intersection(having)
    return ids if by_words is None else ids.union(by_words)


class MemberSearch:
    """Admin search over member columns: `member_search_fields` names the
    foreign keys to members ("" for the members' own list).

    Other `search_fields` (beyond those naming member fields) are matched
    exactly, so they stay index lookups too.
    """

    member_search_fields: tuple[str, ...] = ()
    exact_search_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        ids = matching_member_ids(search_term)
        if ids is None:
            return queryset, False
        found = Q()
        for field in self.member_search_fields:
            found |= Q(**{f"{field}__in" if field else "pk__in": ids})
        for field in self.exact_search_fields:
            found |= Q(**{field: search_term.strip().lower()})
        return queryset.filter(found), False
