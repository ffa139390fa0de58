"""Members seen from the address book: "Save to contacts" and their vCard.

Both read the member through `connections.selectors.profiles`, so they hold
exactly what the profile shows this viewer; a member the viewer may not see
(blocked either way, deactivated, unknown) is a 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from connections.selectors.profiles import member_for_profile_or_404, profile_for
from contacts.member_cards import contact_data_from_profile, vcard_from_profile
from contacts.services.contacts import SavedMember, contact_create_from_member
from contacts.vcard import write_vcard
from contacts.views.common import go


@require_POST
def contact_from_member(request, handle):
    """Save a member as a contact (or open the card already kept for them)."""
    member = member_for_profile_or_404(viewer=request.user, handle=handle)
    view = profile_for(viewer=request.user, member=member)
    try:
        contact, outcome = contact_create_from_member(
            owner=request.user, member=member, data=contact_data_from_profile(view)
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return go(request, member.get_absolute_url())
    texts = {
        SavedMember.CREATED: _("%(name)s was saved to your contacts."),
        SavedMember.EXISTING: _("%(name)s is already in your contacts."),
        SavedMember.RESTORED: _("%(name)s was restored from the Trash."),
    }
    level = messages.SUCCESS if outcome != SavedMember.EXISTING else messages.INFO
    messages.add_message(request, level, texts[outcome] % {"name": contact.shown_name})
    return go(request, contact.get_absolute_url())


@require_GET
def member_vcard(request, handle):
    """The member's card as a vCard file, holding what this viewer may see."""
    member = member_for_profile_or_404(viewer=request.user, handle=handle)
    view = profile_for(viewer=request.user, member=member)
    card = vcard_from_profile(view, profile_url=member.get_absolute_url())
    response = HttpResponse(write_vcard(card), content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{member.handle}.vcf"
    )
    response["Cache-Control"] = "private, no-store"
    return response
