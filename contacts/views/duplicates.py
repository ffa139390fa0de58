"""Duplicates: groups of contacts that look like one person, Merge, Not duplicates."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)
from django.views.decorators.vary import vary_on_headers

from connections.ids import parse_ids
from connections.views.common import safe_next
from contacts.selectors.contacts import contact_with_details
from contacts.selectors.duplicates import duplicate_page
from contacts.services.duplicates import (
    MERGE_MAX,
    contact_merges_undo,
    contacts_mark_not_duplicates,
    contacts_merge,
    contacts_merge_groups,
    contacts_unmark_not_duplicates,
    differing_fields,
    field_shown,
    merge_of,
    recent_merges,
)
from contacts.views.common import go, navigation_context

LIST_TEMPLATE = "contacts/duplicate_list.html"
MERGE_TEMPLATE = "contacts/duplicate_merge.html"
CHOICE_NAMES = {
    "name": _("Name"),
    "photo": _("Photo"),
    "nickname": _("Nickname"),
    "organization": _("Organization"),
    "job_title": _("Job title"),
    "birthday": _("Birthday"),
}


@require_GET
@vary_on_headers("HX-Request")
def duplicate_list(request):
    """Groups of contacts sharing an email, a phone or their name."""
    page = duplicate_page(owner=request.user, after=request.GET.get("after"))
    context = {"page": page}
    if request.htmx and request.htmx.target == "load-more":
        return render(request, f"{LIST_TEMPLATE}#groups", context)
    context.update(navigation_context(request.user))
    if not request.GET.get("after"):
        context["recent_merges"] = recent_merges(owner=request.user)
        context["trash_days"] = settings.RAPPORT_CONTACTS_TRASH_DAYS
    return render(request, LIST_TEMPLATE, context)


def _selected_ids(request) -> list[int]:
    data = request.POST if request.method == "POST" else request.GET
    return parse_ids(data.getlist("contact"))


@require_POST
def duplicate_keep_apart(request):
    """Not duplicates: the group's contacts are no longer grouped together."""
    try:
        count = contacts_mark_not_duplicates(
            owner=request.user, contact_ids=_selected_ids(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s contact marked as not duplicates.",
                "%(count)s contacts marked as not duplicates: they are no longer "
                "grouped together.",
                count,
            )
            % {"count": count},
        )
    url = reverse("contacts:duplicates")
    after = request.POST.get("after", "")
    if after:
        url = f"{url}?{urlencode({'after': after})}"
    # A contact's own page sends its look-alikes here and wants to go back.
    return go(request, safe_next(request, url))


@require_POST
def duplicate_merge_all(request):
    """Merge all shown: every group on the page (and those loaded under it)."""
    groups = [
        ids
        for ids in (
            parse_ids(value.split("-")) for value in request.POST.getlist("group")
        )
        if len(ids) > 1
    ]
    try:
        outcome = contacts_merge_groups(owner=request.user, groups=groups)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return go(request, reverse("contacts:duplicates"))
    if outcome.kept:
        # Two counts, each with its own plural: one group of three puts two
        # contacts in the Trash.
        groups = ngettext(
            "%(count)s group merged;", "%(count)s groups merged;", len(outcome.kept)
        ) % {"count": len(outcome.kept)}
        trashed = ngettext(
            "%(count)s contact is in the Trash.",
            "%(count)s contacts are in the Trash.",
            outcome.trashed,
        ) % {"count": outcome.trashed}
        text = f"{groups} {trashed}"
        messages.success(
            request, _with_undo(request, text, [merge.pk for merge in outcome.merges])
        )
    elif not outcome.refused:
        messages.info(request, _("Nothing to merge: these groups were merged already."))
    for name, reason in outcome.refused:
        messages.error(
            request,
            _("%(name)s and its duplicates were not merged: %(reason)s")
            % {"name": name, "reason": reason},
        )
    return go(request, reverse("contacts:duplicates"))


@require_POST
def duplicate_group_again(request):
    """Forget every "Not duplicates": their groups show again."""
    if contacts_unmark_not_duplicates(owner=request.user):
        messages.success(
            request, _("Contacts you marked as not duplicates are grouped again.")
        )
    return go(request, reverse("contacts:duplicates"))


@require_http_methods(["GET", "POST"])
def duplicate_merge(request):
    """Merge: pick the name (and other differing fields), keep every detail."""
    ids = _selected_ids(request)[: MERGE_MAX + 1]
    contacts = list(
        contact_with_details(owner=request.user)
        .filter(pk__in=ids)
        .order_by("sort_name", "pk")
    )
    if len(contacts) < 2:
        done = None
        if request.method == "POST":
            done = merge_of(owner=request.user, contact_ids=ids)
        if done is not None and done.kept.deleted_at is None:
            # A second click on Merge: show what the first one did.
            messages.info(
                request,
                _("These contacts were merged into %(name)s already.")
                % {"name": done.kept.shown_name},
            )
            return go(request, done.kept.get_absolute_url())
        messages.error(request, _("Choose at least two contacts to merge."))
        return redirect("contacts:duplicates")
    fields = differing_fields(contacts)
    errors = []
    if request.method == "POST":
        choices = {name: request.POST.get(name) for name in fields}
        try:
            kept = contacts_merge(
                owner=request.user,
                contact_ids=[contact.pk for contact in contacts],
                choices=choices,
            )
        except ValidationError as error:
            errors = error.messages
        else:
            text = ngettext(
                "%(count)s contacts merged into %(name)s; the other is in the Trash.",
                "%(count)s contacts merged into %(name)s; the others are in the Trash.",
                len(contacts) - 1,
            ) % {"count": len(contacts), "name": kept.shown_name}
            messages.success(request, _with_undo(request, text, [kept.merge.pk]))
            return go(request, kept.get_absolute_url())
    # Opened from a contact's page ("The same person?"): back and Cancel go
    # there, and so does "Not duplicates"; that contact's values are proposed.
    duplicates = reverse("contacts:duplicates")
    back = safe_next(request, duplicates)
    origin = next((c for c in contacts if c.get_absolute_url() == back), None)
    choices = []
    for name in fields:
        options = []
        seen = set()
        for contact in contacts:
            shown = field_shown(contact, name)
            if shown and shown not in seen:
                seen.add(shown)
                options.append((contact.pk, shown, contact))
        picked = request.POST.get(name) if request.method == "POST" else None
        proposed = field_shown(origin, name) if origin is not None else ""
        if not picked and proposed:
            picked = next(pk for pk, shown, _c in options if shown == proposed)
        choices.append(
            {
                "name": name,
                "label": CHOICE_NAMES[name],
                "options": options,
                "picked": str(picked or options[0][0]),
            }
        )
    context = {
        "contacts": contacts,
        "choices": choices,
        "errors": errors,
        "back": back if origin else duplicates,
        "origin": origin,
        **navigation_context(request.user),
    }
    return render(request, MERGE_TEMPLATE, context, status=400 if errors else 200)


def _with_undo(request, text: str, merge_ids: list[int]):
    """A message with an Undo button that undoes these merges."""
    form = render_to_string(
        "contacts/_undo_merges_form.html",
        {"merge_ids": merge_ids, "class": "flash-action"},
        request=request,
    )
    return format_html("{} {}", text, form)


@require_POST
def duplicate_merges_undo(request):
    """Undo merges: each kept contact as it was, the merged ones out of the Trash."""
    outcome = contact_merges_undo(
        owner=request.user, merge_ids=parse_ids(request.POST.getlist("merge"))
    )
    if outcome.undone:
        messages.success(
            request,
            ngettext(
                "Merge undone: %(names)s and the contacts merged into it are "
                "apart again.",
                "%(count)s merges undone: %(names)s and the contacts merged into "
                "them are apart again.",
                len(outcome.undone),
            )
            % {"count": len(outcome.undone), "names": ", ".join(outcome.undone)},
        )
    elif not outcome.refused:
        messages.info(request, _("Nothing to undo: these merges were undone already."))
    for name, reason in outcome.refused:
        messages.error(
            request,
            _("The merge into %(name)s cannot be undone: %(reason)s")
            % {"name": name, "reason": reason},
        )
    return go(request, safe_next(request, reverse("contacts:duplicates")))
