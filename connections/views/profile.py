"""The profile page at /in/<handle>/, its fragments and Settings → Profile."""

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from connections.models import WorkEntry
from connections.photos import photo_upload_too_big, too_big_message
from connections.profile_forms import (
    AUDIENCE_OF,
    HandleForm,
    PhotoForm,
    ProfileForm,
    WorkEntryForm,
)
from connections.selectors.moderation import can_moderate
from connections.selectors.network import (
    mutual_count,
    relationship_with,
    visible_members,
)
from connections.selectors.profiles import (
    VIEW_AS,
    VIEW_AS_LABELS,
    ShownMember,
    member_for_profile_or_404,
    profile_for,
    profile_of,
    public_connections,
    retired_handle_target,
)
from connections.services.profiles import (
    member_handle_change,
    profile_photo_remove,
    profile_photo_set,
    profile_update,
    work_entry_add,
    work_entry_remove,
)
from connections.views.common import current_path, safe_next


def profile_member_or_404(request, handle):
    """The member at `handle` as `request.user` may act on them, else 404.

    Blocked either way, deactivated, suspended or unknown all answer the same
    404; moderators still see a suspended member.
    """
    members = visible_members(
        viewer=request.user, include_suspended=can_moderate(request.user)
    )
    if request.user.is_authenticated:
        members = members.annotate(mutual_count=mutual_count(viewer=request.user))
    return get_object_or_404(members, handle=handle.lower())


def _member_or_redirect(request, handle):
    """The member for the profile, or a redirect from a recently retired handle."""
    try:
        return member_for_profile_or_404(viewer=request.user, handle=handle), None
    except Http404:
        target = retired_handle_target(handle)
        if target is None:
            raise
        # Only lead on to a profile this viewer may see.
        member = member_for_profile_or_404(viewer=request.user, handle=target.handle)
        path = request.path.replace(f"/in/{handle}/", f"/in/{member.handle}/", 1)
        query = request.GET.urlencode()
        return None, redirect(f"{path}?{query}" if query else path, permanent=False)


@login_not_required
@require_GET
@vary_on_headers("HX-Request")
def profile(request, handle):
    """A member's profile: exactly the fields this viewer may see.

    On one's own profile, `?view_as=public|member|connection` previews what
    those viewers get; htmx requests get the profile's body alone.
    """
    member, redirection = _member_or_redirect(request, handle)
    if redirection:
        return redirection
    view = profile_for(
        viewer=request.user, member=member, view_as=request.GET.get("view_as", "")
    )
    context = {
        "profile": view,
        "member": view.member,
        "relationship": view.relationship,
        "view_as_choices": [(key, VIEW_AS_LABELS[key]) for key in VIEW_AS],
    }
    template = "connections/profile.html"
    if request.htmx:
        template += "#profile-body"
    return render(request, template, context)


@login_not_required
@require_GET
def profile_connections(request, handle):
    """A member's connections, for viewers the member lets see the list."""
    member, redirection = _member_or_redirect(request, handle)
    if redirection:
        return redirection
    view = profile_for(viewer=request.user, member=member)
    if not view.connections_list:
        raise Http404
    page = public_connections(
        viewer=request.user, member=member, cursor=request.GET.get("cursor", "")
    )
    context = {"profile": view, "member": view.member, "page": page}
    template = "connections/profile_connections.html"
    if request.htmx:
        template += "#connection-rows"
    return render(request, template, context)


@login_not_required
@require_GET
def relationship_action(request, handle):
    """The action button alone, for pages that refresh it after a change."""
    member = profile_member_or_404(request, handle)
    relationship = relationship_with(viewer=request.user, member=member)
    return render(
        request,
        "connections/_relationship_action.html",
        {
            "member": member,
            "relationship": relationship,
            "next": safe_next(request, current_path(request)),
        },
    )


# ---------------------------------------------------------------------------
# Settings → Profile.


def _verified_emails(member) -> list[str]:
    return sorted(
        {
            email.lower()
            for email in EmailAddress.objects.filter(
                user=member, verified=True
            ).values_list("email", flat=True)
        }
    )


def _profile_initial(member) -> dict:
    profile = profile_of(member)
    initial = {
        "display_name": member.display_name,
        "headline": member.headline,
        "location": profile.location,
        "about": profile.about,
        "website": profile.website,
        "emails": list(profile.emails or []),
        "phone": profile.phone,
        "birthday_day": profile.birthday_day,
        "birthday_month": profile.birthday_month,
        "birthday_year": profile.birthday_year,
        "findable_by_email": member.findable_by_email,
    }
    for field in (*AUDIENCE_OF.values(), "photo", "work", "connections"):
        initial[f"{field}_audience"] = profile.audience(field)
    return initial


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        for message in error.messages:
            form.add_error(None, message)


@require_http_methods(["GET", "POST"])
def profile_edit(request):
    """Settings → Profile: every field with its audience, photo, work, handle.

    The page holds several forms posting here; a hidden `form` field says
    which. A form with errors comes back with what was typed; the others
    keep the saved values.
    """
    member = request.user
    emails = _verified_emails(member)
    forms = {
        "profile": ProfileForm(initial=_profile_initial(member), email_choices=emails),
        "photo": PhotoForm(),
        "work": WorkEntryForm(),
        "handle": HandleForm(initial={"handle": member.handle}),
    }
    status = 200
    photo_refusal = ""
    if request.method == "POST" and photo_upload_too_big(request):
        # Refused before the body is read: only a photo is ever this large.
        photo_refusal = too_big_message()
        status = 413
    elif request.method == "POST":
        action = request.POST.get("form", "")
        done = _profile_edit_post(request, action, forms, emails)
        if done:
            return redirect(reverse("connections:profile_edit") + done)
        status = 422 if request.htmx else 200
    profile = profile_of(member)
    context = {
        **{f"{name}_form": form for name, form in forms.items()},
        "photo_view": ShownMember(
            pk=member.pk,
            handle=member.handle,
            display_name=member.display_name,
            headline=member.headline,
            photo_key=profile.photo_key,
        ),
        "has_photo": bool(profile.photo_key),
        "photo_refusal": photo_refusal,
        "work_entries": (
            WorkEntry.objects.filter(member=member).order_by("-started", "-pk")
            if not profile._state.adding
            else []
        ),
        "audience_pairs": [
            (forms["profile"][name], forms["profile"].audience_field(name))
            for name in ("display_name", "headline", "location", "website", "phone")
        ],
    }
    return render(request, "connections/settings_profile.html", context, status=status)


def _profile_edit_post(request, action, forms, emails) -> str | None:
    """Run one of the page's forms; the fragment to return to, or None on errors."""
    member = request.user
    if action == "profile":
        form = ProfileForm(request.POST, email_choices=emails)
        forms["profile"] = form
        if form.is_valid():
            try:
                profile_update(member=member, data=form.data_for_service())
            except ValidationError as error:
                _apply_errors(form, error)
                return None
            messages.success(request, _("Profile saved."))
            return "#profile-fields"
        return None
    if action == "photo":
        form = PhotoForm(request.POST, request.FILES)
        forms["photo"] = form
        if form.is_valid():
            try:
                profile_photo_set(member=member, upload=form.cleaned_data["photo"])
            except ValidationError as error:
                _apply_errors(form, error)
                return None
            messages.success(request, _("Photo saved."))
            return "#profile-photo"
        return None
    if action == "photo_remove":
        profile_photo_remove(member=member)
        messages.success(request, _("Photo removed."))
        return "#profile-photo"
    if action == "work_add":
        form = WorkEntryForm(request.POST)
        forms["work"] = form
        if form.is_valid():
            try:
                work_entry_add(member=member, **form.cleaned_data)
            except ValidationError as error:
                _apply_errors(form, error)
                return None
            messages.success(request, _("Position added to your work history."))
            return "#work-history"
        return None
    if action == "work_remove":
        try:
            entry_id = int(request.POST.get("entry", ""))
        except ValueError:
            entry_id = 0
        if work_entry_remove(member=member, entry_id=entry_id):
            messages.success(request, _("Position removed from your work history."))
        return "#work-history"
    if action == "handle":
        form = HandleForm(request.POST)
        forms["handle"] = form
        if form.is_valid():
            try:
                member_handle_change(member=member, handle=form.cleaned_data["handle"])
            except ValidationError as error:
                _apply_errors(form, error)
                return None
            messages.success(
                request,
                _("Your profile is now at /in/%(handle)s/.")
                % {"handle": member.handle},
            )
            return "#profile-handle"
        return None
    messages.error(request, _("Nothing was saved: the form was not recognised."))
    return ""
