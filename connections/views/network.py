"""My Network: invitations, connections, suggestions, search, blocks, emails.

Every action is a plain form that posts and redirects; htmx requests get the
fragment that changed instead, with the navigation badge updated out of band
and `HX-Trigger` events (`relationshipChanged`, `connectionRemoved`) for the
other parts of the page that show the same member.
"""

import json
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from connections.forms import (
    ConnectForm,
    ConnectionKindForm,
    EmailInvitationForm,
    NotificationSettingsForm,
)
from connections.models import (
    Block,
    Connection,
    ConnectionRequest,
    EmailInvitation,
    NotificationSettings,
)
from connections.receivers import INVITATION_SESSION_KEY
from connections.selectors.depth import with_depth_facts
from connections.selectors.network import (
    CONNECTION_SORTS,
    INVITATIONS_PREVIEW,
    Relationship,
    address_opted_out,
    blocked_members,
    connections_of,
    invitation_allowance,
    is_visible,
    members_search,
    mutual_counts,
    nav_badge_counts,
    network_counts,
    received_invitations,
    relationship_with,
    sending_refusal,
    sent_email_invitations,
    sent_invitations,
    suggestions_for,
    with_connected_on,
)
from connections.services import network as services
from connections.unsubscribe import (
    PREFERENCES,
    address_opt_out_reading,
    unsubscribe_reading,
)
from connections.views.common import current_path, safe_next, search_query
from connections.views.profile import profile_member_or_404


def first_message(error: ValidationError) -> str:
    return error.messages[0] if error.messages else _("That didn't work.")


def with_badge(request, response, *, tabs: bool = False):
    """Append the navigation badge as an out-of-band swap to an htmx fragment;
    with `tabs` (an answer to a row of My Network's pages), the counts of its
    tabs too, read in the same one query."""
    member = request.user
    # Counted after the change, whatever was read before it in this request.
    for cached in ("_nav_badge_counts", "_network_counts"):
        member.__dict__.pop(cached, None)
    counts = (network_counts if tabs else nav_badge_counts)(member=member)
    response.content += render_to_string(
        "connections/_nav_badge_oob.html",
        {
            "count": counts["invitations"],
            "messages_count": counts["messages"],
            "tab_counts": counts if tabs else None,
        },
        request=request,
    ).encode()
    return response


# My Network's pages, which show its tabs with their counts.
TABBED_PAGES = frozenset(
    (
        "network",
        "connections",
        "losing_touch",
        "invitations",
        "invitations_sent",
        "search",
    )
)


def on_tabbed_page(request) -> bool:
    """Whether an htmx request comes from one of My Network's tabbed pages
    (a button there changes their counts too)."""
    path = request.htmx.current_url_abs_path if request.htmx else None
    if not path:
        return False
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return False
    return match.namespace == "connections" and match.url_name in TABBED_PAGES


def trigger(response, **events):
    response["HX-Trigger"] = json.dumps(events)
    return response


def network_page(request, template, context, *, tab):
    """Render one of My Network's pages with its tabs and their counts."""
    counts = network_counts(member=request.user)
    return render(
        request,
        template,
        {"counts": counts, "tab": tab, **context},
    )


# ---------------------------------------------------------------------------
# My Network pages.


@require_GET
def network_home(request):
    """My Network: invitations to answer and people you may know."""
    invitations = received_invitations(member=request.user, size=INVITATIONS_PREVIEW)
    suggestions = suggestions_for(member=request.user)
    return network_page(
        request,
        "connections/network.html",
        {
            "invitations": invitations,
            "suggestions": suggestions,
            "suggestion_state": Relationship(Relationship.NONE),
        },
        tab="overview",
    )


@vary_on_headers("HX-Request")
@require_GET
def invitations_received(request):
    """Every pending invitation the member received, newest first."""
    page = received_invitations(member=request.user, cursor=request.GET.get("after"))
    if request.htmx:
        return render(
            request,
            "connections/network_invitations.html#rows",
            {"invitations": page},
        )
    return network_page(
        request,
        "connections/network_invitations.html",
        {"invitations": page},
        tab="received",
    )


@vary_on_headers("HX-Request")
@require_GET
def invitations_sent(request):
    """Pending invitations the member sent, and their open email invitations.

    Each list loads more on its own: `after` pages the invitations,
    `emails_after` the links sent by email.
    """
    emails_cursor = request.GET.get("emails_after", "")
    if request.htmx and emails_cursor:
        return render(
            request,
            "connections/network_sent.html#email_rows",
            {
                "email_invitations": sent_email_invitations(
                    member=request.user, cursor=emails_cursor
                )
            },
        )
    page = sent_invitations(member=request.user, cursor=request.GET.get("after"))
    if request.htmx:
        return render(
            request, "connections/network_sent.html#rows", {"invitations": page}
        )
    email_invitations = sent_email_invitations(
        member=request.user, cursor=emails_cursor
    )
    return network_page(
        request,
        "connections/network_sent.html",
        {"invitations": page, "email_invitations": email_invitations},
        tab="sent",
    )


@vary_on_headers("HX-Request")
@require_GET
def connection_list(request):
    """The member's connections: search, sort, private kind, load more."""
    query = search_query(request.GET)
    sort = request.GET.get("sort")
    sort = sort if sort in CONNECTION_SORTS else "recent"
    if not request.htmx:
        # The page's counts also tell the list how large the network is.
        network_counts(member=request.user)
    page = connections_of(
        member=request.user, query=query, sort=sort, cursor=request.GET.get("after")
    )
    with_depth_facts(member=request.user, rows=page.items)
    with_connected_on(page.items)
    context = {
        "connections": page,
        "query": query,
        "sort": sort,
        "kinds": kind_choices(),
        "here": current_path(request),
    }
    if request.htmx:
        fragment = "rows" if request.GET.get("after") else "results"
        return render(
            request, f"connections/network_connections.html#{fragment}", context
        )
    return network_page(
        request, "connections/network_connections.html", context, tab="connections"
    )


def kind_choices() -> list[tuple[str, str]]:
    """The private kinds a connection can have, labels translated once for the
    whole list rather than once per row."""
    return [
        (value, str(label))
        for value, label in ConnectionKindForm().fields["kind"].choices
    ]


@vary_on_headers("HX-Request")
@require_GET
def member_search(request):
    """Find members by name, handle or headline."""
    query = search_query(request.GET)
    page = members_search(
        viewer=request.user, query=query, cursor=request.GET.get("after")
    )
    context = {"results": page, "query": query}
    if request.htmx and request.GET.get("after"):
        return render(request, "connections/network_search.html#rows", context)
    return render(request, "connections/network_search.html", context)


# ---------------------------------------------------------------------------
# Connect, answer, withdraw.


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def connect(request, handle):
    """The Connect dialog (a page without JavaScript): note, how you met, send."""
    member = profile_member_or_404(request, handle)
    if member.pk == request.user.pk:
        raise Http404
    back = safe_next(request, member.get_absolute_url())
    status = 200
    refusal = None
    if request.method == "POST":
        form = ConnectForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.connection_request_send(
                    sender=request.user,
                    recipient=member,
                    note=form.cleaned_data["note"],
                    how_we_met=form.cleaned_data["how_we_met"],
                )
            except ValidationError as error:
                if error.code in SENDING_REFUSALS:
                    # What the dialog would tell anyway: not worked out twice.
                    refusal = error
                else:
                    form.add_error(None, error)
            else:
                accepted = invitation.status == ConnectionRequest.Status.ACCEPTED
                if accepted:
                    messages.success(
                        request,
                        _("You are now connected with %(name)s.")
                        % {"name": member.display_name},
                    )
                else:
                    messages.success(
                        request,
                        _("Invitation sent to %(name)s.")
                        % {"name": member.display_name},
                    )
                if request.htmx:
                    response = HttpResponse("")
                    tabs = on_tabbed_page(request)
                    if accepted or tabs:
                        # Their invitation, answered by this one: one badge less;
                        # the Sent tab's count, one more.
                        response = with_badge(request, response, tabs=tabs)
                    return trigger(response, relationshipChanged={"member": member.pk})
                return redirect(back)
        status = 422
    else:
        form = ConnectForm()
    # Read after a refused write, so the dialog shows where things stand.
    relationship = relationship_with(viewer=request.user, member=member)
    if refusal is None and relationship.state == Relationship.NONE:
        refusal = sending_refusal(sender=request.user, recipient=member)
    context = {
        "member": member,
        "relationship": relationship,
        "form": form,
        # Shown with the form only, which a refusal replaces.
        "allowance": None if refusal else invitation_allowance(member=request.user),
        "refusal": refusal.messages[0] if refusal else "",
        "next": back,
        "dialog": bool(request.htmx),
    }
    if request.htmx:
        response = render(
            request, "connections/connect.html#dialog", context, status=status
        )
        if relationship.state != Relationship.NONE:
            # The page's button was out of date: bring it up to date too.
            trigger(response, relationshipChanged={"member": member.pk})
        return response
    return render(request, "connections/connect.html", context, status=status)


# The codes of `sending_refusal`'s refusals, which the dialog shows instead
# of its form.
SENDING_REFUSALS = frozenset(
    {"paused", "cooldown", "weekly_limit", "pending_limit", "connections_limit"}
)


ANSWERS = {
    "accept": services.connection_request_accept,
    "ignore": services.connection_request_ignore,
    "unknown": services.connection_request_decline_unknown,
}


def answered_message(invitation, action):
    name = invitation.sender.display_name
    if action == "accept":
        return _("You are now connected with %(name)s.") % {"name": name}
    if action == "ignore":
        return _("Invitation from %(name)s ignored. They are not told.") % {
            "name": name
        }
    return _(
        "Thank you for telling us. %(name)s is not told, and can't invite you again "
        "for a while."
    ) % {"name": name}


def invitation_fragment(request, invitation, *, viewer_is_sender: bool):
    """The htmx answer to an invitation action: the row or the action button."""
    other = invitation.recipient if viewer_is_sender else invitation.sender
    if request.POST.get("fragment") == "invitation":
        invitation.mutual_count = mutual_counts(
            viewer=request.user, member_ids=[other.pk]
        ).get(other.pk, 0)
        template = (
            "connections/network_sent.html#invitation"
            if viewer_is_sender
            else "connections/_invitation_item.html"
        )
        response = render(request, template, {"invitation": invitation})
        return with_badge(request, response, tabs=True)
    response = render(
        request,
        "connections/_relationship_action.html",
        {
            "member": other,
            "relationship": relationship_with(viewer=request.user, member=other),
            "next": current_path(request),
        },
    )
    return with_badge(request, response, tabs=on_tabbed_page(request))


@require_POST
def invitation_respond(request, pk):
    """Accept, ignore or "I don't know this person" (by the button pressed)."""
    invitation = get_object_or_404(
        ConnectionRequest.objects.filter(recipient=request.user)
        .filter(is_visible("sender"))
        .select_related("sender", "recipient"),
        pk=pk,
    )
    action = request.POST.get("action")
    service = ANSWERS.get(action)
    if service is None:
        return HttpResponseBadRequest(_("Choose Accept, Ignore or I don't know."))
    try:
        invitation = service(invitation=invitation, member=request.user)
    except ValidationError as error:
        messages.error(request, first_message(error))
        invitation.refresh_from_db()
    else:
        messages.success(request, answered_message(invitation, action))
    if request.htmx:
        return invitation_fragment(request, invitation, viewer_is_sender=False)
    return redirect(safe_next(request, reverse("connections:network")))


@require_POST
def invitation_withdraw(request, pk):
    """The sender takes an invitation back."""
    invitation = get_object_or_404(
        ConnectionRequest.objects.filter(sender=request.user).select_related(
            "sender", "recipient"
        ),
        pk=pk,
    )
    try:
        invitation = services.connection_request_withdraw(
            invitation=invitation, member=request.user
        )
    except ValidationError as error:
        messages.error(request, first_message(error))
        invitation.refresh_from_db()
    else:
        messages.success(
            request,
            _("Invitation to %(name)s withdrawn.")
            % {"name": invitation.recipient.display_name},
        )
    if request.htmx:
        return invitation_fragment(request, invitation, viewer_is_sender=True)
    return redirect(safe_next(request, reverse("connections:invitations_sent")))


# ---------------------------------------------------------------------------
# Connections: private kind, removal.


@require_POST
def connection_edit(request, handle):
    """Change the private kind of one of the member's connections."""
    row = get_object_or_404(
        Connection.objects.filter(member=request.user).select_related("other"),
        other__handle=handle.lower(),
    )
    form = ConnectionKindForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            row = services.connection_update(
                member=request.user, other=row.other, kind=form.cleaned_data["kind"]
            )
        except ValidationError as error:
            messages.error(request, first_message(error))
        else:
            saved = True
            if not request.htmx:
                messages.success(
                    request,
                    _("Saved: %(name)s is now “%(kind)s”.")
                    % {
                        "name": row.other.display_name,
                        "kind": row.get_kind_display() or _("No kind"),
                    },
                )
    if request.htmx:
        return render(
            request,
            "connections/network_connections.html#kind_form",
            {
                "connection": row,
                "kinds": kind_choices(),
                "saved": saved,
                "here": safe_next(request, reverse("connections:connections")),
            },
            status=200 if saved else 422,
        )
    return redirect(safe_next(request, reverse("connections:connections")))


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def remove_connection(request, handle):
    """Remove connection (quiet): confirm, remove, offer to keep as a contact."""
    member = profile_member_or_404(request, handle)
    connected = Connection.objects.filter(member=request.user, other=member).exists()
    context = {"member": member, "dialog": bool(request.htmx)}
    if request.method == "POST":
        if connected:
            services.connection_remove(member=request.user, other=member)
        if not request.htmx:
            return redirect(
                reverse("connections:remove_connection", args=[member.handle])
                + "?done=1"
            )
        response = render(
            request,
            "connections/connection_remove.html#dialog",
            {**context, "removed": True},
        )
        if on_tabbed_page(request):
            response = with_badge(request, response, tabs=True)
        return trigger(
            response,
            relationshipChanged={"member": member.pk},
            connectionRemoved={"member": member.pk},
        )
    if not connected and not request.GET.get("done"):
        return redirect(member.get_absolute_url())
    context["removed"] = not connected
    context["next"] = safe_next(request, member.get_absolute_url())
    if request.htmx:
        return render(request, "connections/connection_remove.html#dialog", context)
    return render(request, "connections/connection_remove.html", context)


# ---------------------------------------------------------------------------
# Blocks.


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def block(request, handle):
    """Block: confirm, then each side disappears for the other."""
    member = profile_member_or_404(request, handle)
    if member.pk == request.user.pk:
        raise Http404
    if request.method == "POST":
        services.block_create(blocker=request.user, blocked=member)
        messages.success(
            request,
            _(
                "You blocked %(name)s. You no longer see each other, and they can't "
                "invite or message you. Unblock them in Settings."
            )
            % {"name": member.display_name},
        )
        target = reverse("connections:network")
        if request.htmx:
            return HttpResponseClientRedirect(target)
        return redirect(target)
    context = {
        "member": member,
        "dialog": bool(request.htmx),
        "connected": Connection.objects.filter(
            member=request.user, other=member
        ).exists(),
        "next": safe_next(request, member.get_absolute_url()),
    }
    if request.htmx:
        return render(request, "connections/block_confirm.html#dialog", context)
    return render(request, "connections/block_confirm.html", context)


@require_GET
def blocked_list(request):
    """Settings: the members you blocked, with Unblock."""
    page = blocked_members(member=request.user, cursor=request.GET.get("after"))
    return render(request, "connections/settings_blocked.html", {"blocks": page})


@require_POST
def unblock(request, handle):
    """Unblock a member; nothing the block ended comes back."""
    row = get_object_or_404(
        Block.objects.filter(blocker=request.user).select_related("blocked"),
        blocked__handle=handle.lower(),
    )
    services.block_remove(blocker=request.user, blocked=row.blocked)
    messages.success(
        request, _("You unblocked %(name)s.") % {"name": row.blocked.display_name}
    )
    if request.htmx:
        return render(
            request,
            "connections/settings_blocked.html#unblocked",
            {"block": row},
        )
    return redirect("connections:blocked")


# ---------------------------------------------------------------------------
# Invitations by email.


@require_http_methods(["GET", "POST"])
def invite_by_email(request):
    """Invite someone by email; `?email=&name=` prefill the form."""
    if request.method == "POST":
        form = EmailInvitationForm(request.POST)
        if form.is_valid():
            try:
                services.email_invitation_send(
                    inviter=request.user,
                    email=form.cleaned_data["email"],
                    name=form.cleaned_data["name"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s.")
                    % {"email": form.cleaned_data["email"].lower()},
                )
                return redirect("connections:invite")
        status = 422
    else:
        form = EmailInvitationForm(
            initial={
                "email": request.GET.get("email", "")[:254],
                "name": request.GET.get("name", "")[:80],
            }
        )
        status = 200
    context = {
        "form": form,
        "allowance": invitation_allowance(member=request.user),
        "refusal": "",
    }
    refusal = sending_refusal(sender=request.user, by_email=True)
    if refusal is not None:
        context["refusal"] = refusal.messages[0]
    return render(request, "connections/network_invite.html", context, status=status)


@require_POST
def email_invitation_withdraw(request, pk):
    """Cancel an invitation link sent by email."""
    invitation = get_object_or_404(
        EmailInvitation.objects.filter(inviter=request.user), pk=pk
    )
    services.email_invitation_withdraw(invitation=invitation, member=request.user)
    messages.success(
        request,
        _("The invitation link sent to %(email)s no longer works.")
        % {"email": invitation.email},
    )
    if request.htmx:
        return with_badge(request, HttpResponse(""), tabs=True)
    return redirect(safe_next(request, reverse("connections:invitations_sent")))


@login_not_required
@require_http_methods(["GET", "POST"])
def join(request, token):
    """The link in an invitation email.

    A visitor's token is kept in the session until they sign up and verify
    their email (or sign in); a member opens the invitation with one click.
    """
    invitation = services.email_invitation_by_token(token)
    if invitation is None:
        request.session.pop(INVITATION_SESSION_KEY, None)
        return render(request, "connections/join.html", {"invalid": True}, status=404)
    own = request.user.is_authenticated and invitation.inviter_id == request.user.pk
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        if own:
            return redirect(request.path)
        request.session.pop(INVITATION_SESSION_KEY, None)
        result = services.email_invitation_redeem(member=request.user, token=token)
        if result is not None and result.status == ConnectionRequest.Status.ACCEPTED:
            messages.success(
                request,
                _("You are now connected with %(name)s.")
                % {"name": invitation.inviter.display_name},
            )
        elif result is not None:
            messages.success(
                request,
                _("%(name)s's invitation is waiting for you below.")
                % {"name": invitation.inviter.display_name},
            )
        return redirect("connections:network")
    if not request.user.is_authenticated:
        request.session[INVITATION_SESSION_KEY] = token
    return render(
        request,
        "connections/join.html",
        {"invitation": invitation, "inviter": invitation.inviter, "own": own},
    )


# ---------------------------------------------------------------------------
# Email preferences.


@require_http_methods(["GET", "POST"])
def notification_settings(request):
    """Settings: which network emails to receive."""
    current = NotificationSettings.objects.filter(member=request.user).first()
    initial = {
        "invitation_received": current.invitation_received if current else True,
        "invitation_accepted": current.invitation_accepted if current else True,
        "message_unread": current.message_unread if current else True,
    }
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST)
        if form.is_valid():
            services.notification_settings_update(
                member=request.user, **form.cleaned_data
            )
            messages.success(request, _("Email preferences saved."))
            return redirect("connections:notifications")
    else:
        form = NotificationSettingsForm(initial=initial)
    return render(request, "connections/settings_notifications.html", {"form": form})


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def notification_unsubscribe(request, token):
    """The one-click link of a notification email: stops that kind of email.

    Works signed out, with the signed token as the only credential. GET only
    asks (link checkers and previews open links); POST turns the email off,
    from the page's button or from the mail client (RFC 8058, which posts
    without a CSRF token, hence the exemption: the token is the proof).
    """
    reading = unsubscribe_reading(token)
    if reading is None:
        raise Http404
    member, preference = reading
    done = request.method == "POST"
    if done:
        services.notification_turn_off(member=member, preference=preference)
    return render(
        request,
        "connections/notifications_unsubscribe.html",
        {"what": PREFERENCES[preference], "done": done},
    )


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def address_opt_out_view(request, token):
    """The link in an invitation email to someone who is not a member: stops
    every invitation email to that address, from any member.

    As for `notification_unsubscribe`: signed out, the signed token the only
    credential; GET only asks, POST (the page's button or the mail client's
    one-click, without a CSRF token) stops them. "resume" undoes it.
    """
    email = address_opt_out_reading(token)
    if email is None:
        raise Http404
    state = "stopped" if address_opted_out(email) else "ask"
    if request.method == "POST":
        if request.POST.get("resume"):
            services.address_opt_in(email=email)
            state = "resumed"
        else:
            services.address_opt_out(email=email)
            state = "stopped"
    return render(
        request,
        "connections/address_opt_out.html",
        {"email": email, "state": state},
    )
