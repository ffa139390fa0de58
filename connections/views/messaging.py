"""Messages: the inbox, a thread, sending, and the polls that keep them fresh.

Every page works without JavaScript (sending posts and redirects, "Load
earlier messages" is a link); htmx sends in place, loads earlier messages
above, and polls: the open thread every few seconds (204 when nothing
changed), the unread badge on every page.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from connections.forms import MessageForm
from connections.ids import parse_id
from connections.selectors import messaging as selectors
from connections.selectors.messaging import (
    local_day,
    messages_after,
    seen_message_id,
    thread_items,
    thread_messages,
    thread_poll_state,
    thread_with,
    unread_total,
)
from connections.selectors.network import nav_badge_counts
from connections.services import messaging as services
from connections.views.common import search_query

# htmx stops polling an element when its request answers this status.
STOP_POLLING = 286


def _int_param(request, name: str) -> int:
    return parse_id(request.GET.get(name, "")) or 0


def _day_param(request, name: str = "day") -> date | None:
    try:
        return date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return None


@vary_on_headers("HX-Request")
@require_GET
def inbox(request):
    """Messages: the member's conversations, most recent first, searchable."""
    query = search_query(request.GET)
    page = selectors.inbox(
        member=request.user, query=query, cursor=request.GET.get("after")
    )
    context = {
        "conversations": page,
        "query": query,
        "today": timezone.localdate().isoformat(),
    }
    if request.htmx:
        fragment = "rows" if request.GET.get("after") else "results"
        return render(request, f"connections/messages.html#{fragment}", context)
    return render(request, "connections/messages.html", context)


def _top_and_rest(items):
    """The first day separator goes in the list's top row, which "Load earlier
    messages" replaces; the rest are rows of their own."""
    if items and items[0].kind == "day":
        return items[0].day, items[1:]
    return None, items


def _thread_context(thread, page, *, form=None, before: str = ""):
    messages = page.items
    last = messages[-1] if messages else None
    top_day, items = _top_and_rest(thread_items(messages))
    return {
        "thread": thread,
        "other": thread.other,
        "page": page,
        "top_day": top_day,
        "items": items,
        "form": form or MessageForm(),
        "before": before,
        "seen_id": None
        if before
        else seen_message_id(thread=thread, messages=messages),
        "state": {
            "after": last.pk if last else 0,
            "seen": thread.other_read_id,
            "open": int(thread.can_send),
            "day": local_day(last.created).isoformat() if last else "",
            "mine": int(bool(last and last.sender_id == thread.viewer.pk)),
        },
        "poll_seconds": settings.RAPPORT_MESSAGES_POLL_SECONDS,
    }


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def thread(request, handle):
    """A conversation with one member: the newest messages, earlier on demand."""
    before = request.GET.get("before", "") if request.method == "GET" else ""
    earlier_fragment = bool(request.htmx and before)
    thread = thread_with(
        viewer=request.user, handle=handle, reading_only=earlier_fragment
    )
    if thread is None:
        raise Http404
    if request.method == "POST":
        return _send(request, thread)
    page = thread_messages(thread=thread, before=before)
    if earlier_fragment:
        top_day, items = _top_and_rest(
            thread_items(page.items, next_day=_day_param(request))
        )
        return render(
            request,
            "connections/message_thread.html#earlier",
            {
                "thread": thread,
                "other": thread.other,
                "page": page,
                "top_day": top_day,
                "items": items,
            },
        )
    if not before and page.items and thread.side is not None:
        newest = page.items[-1].pk
        if newest > thread.side.last_read_id:
            services.conversation_mark_read(side=thread.side, up_to=newest)
    context = _thread_context(thread, page, before=before)
    return render(request, "connections/message_thread.html", context)


def _send(request, thread):
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.message_send(
                sender=request.user,
                recipient=thread.other,
                body=form.cleaned_data["body"],
                client_token=form.cleaned_data["client_token"],
            )
        except ValidationError as error:
            form.add_error("body", error)
    if form.errors:
        if request.htmx:
            return render(
                request,
                "connections/message_thread.html#composer",
                {
                    "thread": thread,
                    "other": thread.other,
                    "form": form,
                    "refocus": True,
                },
                status=422,
            )
        page = thread_messages(thread=thread)
        context = _thread_context(thread, page, form=form)
        return render(request, "connections/message_thread.html", context, status=422)
    if request.htmx:
        response = render(
            request,
            "connections/message_thread.html#composer",
            {
                "thread": thread,
                "other": thread.other,
                "form": MessageForm(),
                "refocus": True,
            },
        )
        # The thread's poller fetches the new message at once.
        response["HX-Trigger"] = "messageSent"
        return response
    return redirect(reverse("connections:thread", args=[thread.other.handle]))


@require_GET
def thread_poll(request, handle):
    """What changed in an open thread since the page's state: 204 when nothing.

    The check is one indexed query; only a change costs more: the policy is
    asked again (a thread the member may no longer read answers 286, which
    stops the polling), then the new messages, marking them read, the badge.
    """
    state = thread_poll_state(viewer=request.user, handle=handle)
    if state is None:
        return HttpResponse(status=204)
    after = _int_param(request, "after")
    seen = _int_param(request, "seen")
    was_open = request.GET.get("open") == "1"
    if (
        state.newest_id <= after
        and state.other_read_id == seen
        and state.open_hint == was_open
    ):
        return HttpResponse(status=204)
    thread = thread_with(viewer=request.user, handle=handle)
    if thread is None:
        return HttpResponse(status=STOP_POLLING)
    new = messages_after(conversation_id=state.conversation_id, after=after)
    if new and thread.side is not None and new[-1].pk > thread.side.last_read_id:
        services.conversation_mark_read(side=thread.side, up_to=new[-1].pk)
    last_day = _day_param(request)
    if new:
        last_id = new[-1].pk
        mine = new[-1].sender_id == request.user.pk
        last_day_now = local_day(new[-1].created)
    else:
        last_id = after
        mine = request.GET.get("mine") == "1"
        last_day_now = last_day
    context = {
        "thread": thread,
        "other": thread.other,
        "items": thread_items(new, previous_day=last_day),
        "form": MessageForm(),
        "seen_id": last_id if mine and thread.other_read_id >= last_id else None,
        "composer_changed": thread.can_send != was_open,
        "was_empty": after == 0,
        "state": {
            "after": last_id,
            "seen": thread.other_read_id,
            "open": int(thread.can_send),
            "day": last_day_now.isoformat() if last_day_now else "",
            "mine": int(mine),
        },
        "badge_count": nav_badge_counts(member=request.user)["messages"],
    }
    return render(request, "connections/message_thread.html#poll_update", context)


@require_GET
def unread_badge(request):
    """The unread-messages badge, out of band, when it differs from `n`."""
    count = unread_total(member=request.user)
    if request.GET.get("n") == str(count):
        return HttpResponse(status=204)
    return render(
        request, "connections/_messages_badge.html", {"count": count, "oob": True}
    )
