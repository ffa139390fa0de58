"""Helpers shared by the views of the contacts app."""

from dataclasses import dataclass

from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

from connections.ids import parse_id
from connections.views.common import search_query
from contacts.selectors.contacts import Sort, owner_labels


def go(request, url: str):
    """Redirect; an htmx request gets a full-page redirect instead of a swap."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@dataclass(frozen=True)
class ListParams:
    """What the Contacts list shows, read from the query string."""

    query: str = ""
    sort: str = Sort.NAME
    label_id: int | None = None
    favorites: bool = False
    after: str | None = None

    @classmethod
    def from_request(cls, request) -> "ListParams":
        data = request.GET if request.method == "GET" else request.POST
        sort = data.get("sort", Sort.NAME)
        label = data.get("label", "")
        return cls(
            query=search_query(data),
            sort=sort if sort in Sort.CHOICES else Sort.NAME,
            label_id=parse_id(label),
            favorites=data.get("favorites") == "1",
            after=data.get("after") or None,
        )

    @property
    def filtered(self) -> bool:
        return bool(self.query or self.label_id or self.favorites)

    def as_query(self) -> dict:
        """The parameters of this view of the list, for links to its next page."""
        query = {}
        if self.query:
            query["q"] = self.query
        if self.sort != Sort.NAME:
            query["sort"] = self.sort
        if self.label_id is not None:
            query["label"] = self.label_id
        if self.favorites:
            query["favorites"] = 1
        return query


def navigation_context(owner) -> dict:
    """What the Contacts side navigation needs: the owner's labels. One query."""
    return {"nav_labels": owner_labels(owner=owner)}
