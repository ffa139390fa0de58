"""Updates: Home's feed, posting, editing, deleting, comments and likes.

Every action is a plain form that posts and redirects; htmx requests get the
fragment that changed. Whoever may not see an update gets 404 for it and for
its comments and likes (`update_for_viewer_or_404`); only its author may edit
or delete it (`own_update_or_404`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from connections.forms import CommentForm, UpdateForm
from connections.selectors.depth import reminders_due
from connections.selectors.network import suggestions_for
from connections.selectors.profiles import VIEW_AS
from connections.selectors.updates import (
    as_posted,
    comments_on,
    feed_for,
    own_update_or_404,
    recount,
    recount_comments,
    update_for_viewer_or_404,
    updates_by,
)
from connections.services import updates as services
from connections.views.common import current_path, safe_next
from connections.views.profile import profile_member_or_404


def _form_error(form, error: ValidationError) -> None:
    field = "audience" if error.code == "audience" else "text"
    for message in error.messages:
        form.add_error(field, message)


def home_feed(request, *, form=None, status=200):
    """Home for a signed-in member: the composer and the feed (and reminders)."""
    cursor = request.GET.get("after", "")
    page = feed_for(member=request.user, cursor=cursor)
    context = {"feed": page, "here": reverse("home")}
    if request.htmx and cursor:
        return render(request, "connections/home.html#feed_rows", context)
    context |= {
        "form": form or UpdateForm(),
        "reminders": reminders_due(member=request.user),
        "suggestions": [] if page or cursor else suggestions_for(member=request.user),
    }
    return render(request, "connections/home.html", context, status=status)


@require_POST
def update_create(request):
    """Post an update from Home's composer."""
    form = UpdateForm(request.POST)
    update = None
    if form.is_valid():
        try:
            update = services.update_post(
                author=request.user,
                text=form.cleaned_data["text"],
                audience=form.cleaned_data["audience"],
            )
        except ValidationError as error:
            _form_error(form, error)
    if update is None:
        if request.htmx:
            return render(
                request, "connections/home.html#composer", {"form": form}, status=422
            )
        return home_feed(request, form=form, status=422)
    if not request.htmx:
        messages.success(request, _("Update posted."))
        return redirect("home")
    if hasattr(update, "like_count"):
        # Just posted: nothing to count, nor to ask the policy.
        update = as_posted(update, author=request.user)
    else:
        # Sent twice: the update posted the first time, as it is now.
        update = update_for_viewer_or_404(viewer=request.user, pk=update.pk)
    return render(
        request,
        "connections/home.html#posted",
        {"form": UpdateForm(), "update": update, "here": reverse("home")},
    )


@login_not_required
@vary_on_headers("HX-Request")
@require_GET
def update_detail(request, pk):
    """One update with its comments; htmx gets the card alone (after Cancel)."""
    update = update_for_viewer_or_404(viewer=request.user, pk=pk)
    here = safe_next(request, current_path(request))
    if request.htmx:
        return render(
            request, "connections/_update.html", {"update": update, "here": here}
        )
    comments = comments_on(
        update=update, viewer=request.user, cursor=request.GET.get("after", "")
    )
    return render(
        request,
        "connections/update_detail.html",
        {
            "update": update,
            "comments": comments,
            "comment_form": CommentForm(),
            "show_comments": True,
            "here": request.path,
        },
    )


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def update_edit(request, pk):
    """Edit one's own update: its text and its audience."""
    update = own_update_or_404(member=request.user, pk=pk)
    next_url = safe_next(request, reverse("connections:update", args=[pk]))
    if request.method == "POST":
        form = UpdateForm(request.POST)
        if form.is_valid():
            try:
                services.update_edit(
                    update=update,
                    member=request.user,
                    text=form.cleaned_data["text"],
                    audience=form.cleaned_data["audience"],
                )
            except ValidationError as error:
                _form_error(form, error)
        if form.is_valid() and not form.errors:
            if not request.htmx:
                messages.success(request, _("Update saved."))
                return redirect(next_url)
            fresh = update_for_viewer_or_404(viewer=request.user, pk=pk)
            return render(
                request,
                "connections/_update.html",
                {"update": fresh, "here": next_url},
            )
        status = 422
    else:
        form = UpdateForm(initial={"text": update.text, "audience": update.audience})
        status = 200
    context = {"update": update, "form": form, "next": next_url}
    if request.htmx:
        return render(
            request, "connections/update_edit.html#form", context, status=status
        )
    return render(request, "connections/update_edit.html", context, status=status)


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def update_delete(request, pk):
    """Delete one's own update: confirm, then delete for good."""
    update = own_update_or_404(member=request.user, pk=pk)
    next_url = safe_next(request, reverse("home"))
    if next_url == reverse("connections:update", args=[pk]):
        next_url = reverse("home")
    if request.method == "POST":
        try:
            services.update_delete(update=update, member=request.user)
        except ValidationError as error:  # removed by moderators meanwhile
            raise Http404 from error
        messages.success(request, _("Update deleted."))
        if request.htmx:
            # The card goes; the dialog closes (out of band).
            return render(
                request, "connections/update_delete.html#deleted", {"update": update}
            )
        return redirect(next_url)
    context = {"update": update, "next": next_url, "dialog": bool(request.htmx)}
    if request.htmx:
        return render(request, "connections/update_delete.html#dialog", context)
    return render(request, "connections/update_delete.html", context)


@require_POST
def update_like(request, pk):
    """Like or unlike an update; htmx gets the button with its new count."""
    update = update_for_viewer_or_404(viewer=request.user, pk=pk, counted=False)
    wanted = {"1": True, "0": False}.get(request.POST.get("like", ""))
    try:
        services.like_toggle(update=update, member=request.user, like=wanted)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    if not request.htmx:
        return redirect(safe_next(request, reverse("connections:update", args=[pk])))
    recount(update, viewer=request.user)
    return render(
        request,
        "connections/_update_like.html",
        {"update": update, "here": current_path(request)},
    )


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def update_comments(request, pk):
    """The comments of an update (htmx: inline under the card), and new ones."""
    posting = request.method == "POST"
    # A post is counted once, after it is written (a double submit adds none).
    update = update_for_viewer_or_404(viewer=request.user, pk=pk, counted=not posting)
    detail_url = reverse("connections:update", args=[pk])
    form = CommentForm()
    status = 200
    if posting:
        form = CommentForm(request.POST)
        comment = None
        if form.is_valid():
            try:
                comment = services.comment_post(
                    update=update, author=request.user, text=form.cleaned_data["text"]
                )
            except ValidationError as error:
                _form_error(form, error)
        if comment is not None:
            # With htmx too: the message region is what a screen reader hears.
            messages.success(request, _("Comment posted."))
            if not request.htmx:
                return redirect(f"{detail_url}#comments")
        if comment is not None:
            form = CommentForm()
        else:
            if not request.htmx:
                recount(update, viewer=request.user)
                comments = comments_on(update=update, viewer=request.user)
                return render(
                    request,
                    "connections/update_detail.html",
                    {
                        "update": update,
                        "comments": comments,
                        "comment_form": form,
                        "show_comments": True,
                        "here": detail_url,
                    },
                    status=422,
                )
            status = 422
    elif not request.htmx:
        return redirect(f"{detail_url}#comments")
    cursor = request.GET.get("after", "")
    comments = comments_on(update=update, viewer=request.user, cursor=cursor)
    if posting:
        # The answer shows the comment count alone: the likes are not counted,
        # nor the comments when they all fit on the page read from the top.
        recount_comments(
            update, viewer=request.user, first_page=None if cursor else comments
        )
    context = {
        "update": update,
        "comments": comments,
        "comment_form": form,
        "oob_count": request.method == "POST",
        # Opened with Comment: the cursor goes to the box, to write.
        "focus_box": not posting,
    }
    if cursor:
        return render(request, "connections/_update_comments.html#rows", context)
    return render(request, "connections/_update_comments.html", context, status=status)


@login_not_required
@require_GET
def profile_updates(request, handle):
    """More of a member's updates for their profile ("Load more"); on one's
    own profile, `?view_as=` goes on previewing them as that viewer sees them."""
    member = profile_member_or_404(request, handle)
    if not request.htmx:
        return redirect(member.get_absolute_url())
    view_as = request.GET.get("view_as", "")
    if member.pk != request.user.pk or view_as not in VIEW_AS:
        view_as = ""
    page = updates_by(
        author=member,
        viewer=request.user,
        cursor=request.GET.get("after", ""),
        view_as=view_as,
    )
    return render(
        request,
        "connections/_profile_updates_list.html#rows",
        {
            "updates": page,
            "member": member,
            "here": member.get_absolute_url(),
            "preview": view_as,
        },
    )
