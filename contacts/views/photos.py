"""A contact's photo: its page (upload, remove) and the pictures themselves."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connections.photos import photo_upload_too_big, too_big_message
from connections.profile_forms import PhotoForm
from contacts.models import Contact, ContactPhoto
from contacts.services.photos import (
    PHOTO_SIZES,
    contact_photo_remove,
    contact_photo_set,
)

# A picture's address names its key, which changes with the picture.
PHOTO_CACHE = "private, max-age=31536000, immutable"


@require_http_methods(["GET", "POST"])
def contact_photo(request, pk):
    """Change a contact's photo: upload a picture, or remove the one it has."""
    contact = get_object_or_404(Contact.objects.owned_by(request.user), pk=pk)
    form = PhotoForm()
    refusal = ""
    status = 200
    if request.method == "POST" and photo_upload_too_big(request):
        # Refused before the body is read.
        refusal = too_big_message()
        status = 413
    elif request.method == "POST":
        form = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                contact_photo_set(contact=contact, upload=form.cleaned_data["photo"])
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("photo", message)
            else:
                messages.success(
                    request,
                    _("%(name)s’s photo was saved.") % {"name": contact.shown_name},
                )
                return redirect(contact.get_absolute_url())
        status = 422
    return render(
        request,
        "contacts/contact_photo.html",
        {"contact": contact, "form": form, "refusal": refusal},
        status=status,
    )


@require_POST
def contact_photo_remove_view(request, pk):
    """Take the photo off a contact; its initials show again."""
    contact = get_object_or_404(Contact.objects.owned_by(request.user), pk=pk)
    try:
        contact_photo_remove(contact=contact)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s’s photo was removed.") % {"name": contact.shown_name}
        )
    return redirect(contact.get_absolute_url())


@require_GET
def contact_photo_file(request, pk, key, size):
    """One stored picture of a contact, for its owner only (Trash included).

    Anyone else, an old key or an unknown size gets 404. The address changes
    with the picture, so the browser may keep it for good.
    """
    if size not in PHOTO_SIZES:
        raise Http404
    data = (
        ContactPhoto.objects.filter(
            contact__pk=pk,
            contact__owner=request.user,
            contact__photo_key=key,
        )
        .values_list(size, flat=True)
        .first()
    )
    if data is None:
        raise Http404
    response = HttpResponse(bytes(data), content_type="image/jpeg")
    response["Cache-Control"] = PHOTO_CACHE
    return response
