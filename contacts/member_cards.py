"""A member's card as one viewer may see it: for "Save to contacts" and vCards.

Both are built from `connections.selectors.profiles.profile_for`'s view, so
they hold exactly the fields that viewer may see on the profile, no more.
"""

from django.conf import settings

from contacts.models.contacts import NOTES_MAX
from contacts.services.contacts import (
    AddressEntry,
    ContactData,
    EmailEntry,
    PhoneEntry,
    WebsiteEntry,
)
from contacts.text import name_parts
from contacts.vcard import Address, Birthday, TypedValue, VCard


def _current_position(view):
    """(organization, title) of the member's current position, as shown."""
    for item in view.work:
        if item.ended is None:
            return item.organization, item.title
    return "", ""


def _name(view) -> str:
    return view.member.display_name if view.name_shown else ""


def contact_data_from_profile(view) -> ContactData:
    """A new contact card holding what `view` shows of the member."""
    organization, title = _current_position(view)
    birthday = view.birthday
    return ContactData(
        display_name=_name(view) or view.member.display_name,
        organization=organization[:100],
        job_title=(view.headline or title)[:100],
        notes=view.about[:NOTES_MAX],
        birthday_day=birthday.day if birthday else None,
        birthday_month=birthday.month if birthday else None,
        birthday_year=birthday.year if birthday else None,
        emails=[EmailEntry(value=email) for email in view.emails],
        phones=[PhoneEntry(value=view.phone)] if view.phone else [],
        addresses=[AddressEntry(city=view.location[:100])] if view.location else [],
        websites=[WebsiteEntry(url=view.website)] if view.website else [],
    )


def vcard_from_profile(view, *, profile_url: str) -> VCard:
    """A vCard of what `view` shows of the member, with their profile's address."""
    organization, title = _current_position(view)
    birthday = view.birthday
    urls = [TypedValue(value=view.website)] if view.website else []
    urls.append(TypedValue(value=f"{settings.RAPPORT_SITE_URL}{profile_url}"))
    # A member's name is one field; apps that sort or show names by their
    # parts (and Google's and Outlook's CSV) get it as given and family name.
    given, family = name_parts(_name(view))
    return VCard(
        uid=f"{settings.RAPPORT_SITE_URL}{profile_url}",
        formatted_name=view.member.display_name,
        given_name=given,
        family_name=family,
        organization=organization,
        title=view.headline or title,
        emails=[TypedValue(value=email) for email in view.emails],
        phones=[TypedValue(value=view.phone)] if view.phone else [],
        addresses=[Address(city=view.location)] if view.location else [],
        urls=urls,
        birthday=(
            Birthday(month=birthday.month, day=birthday.day, year=birthday.year)
            if birthday
            else None
        ),
        note=view.about,
    )
