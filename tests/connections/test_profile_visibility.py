"""The visibility matrix: every field x audience x viewer relation, every channel.

Bob's profile holds a unique marker in every field. For each audience, every
field is set to it (name and headline accept only Public and Members), then
each viewer relation looks at the full page, the htmx fragment, the vCard and
member search, and each marker must be there exactly when the rules say so.
"""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from connections.models import Audience, Profile
from connections.models.profiles import DEFAULT_AUDIENCES, NAME_AUDIENCES
from connections.photos import photo_path
from connections.services.moderation import member_suspend
from tests.conftest import HTMX, signed_in_client
from tests.factories import (
    BlockFactory,
    ConnectionRequestFactory,
    UserFactory,
    WorkEntryFactory,
    connect,
)

MARKERS = {
    "name": "Zqxname",
    "headline": "zqxheadline",
    "photo": "zqxphoto",
    "location": "zqxlocation",
    "about": "zqxabout",
    "work": "zqxwork",
    "emails": "zqxemail",
    "phone": "+1 555 0142 97",
    "birthday": "1987",
    "website": "zqxwebsite",
    "connections": "/in/bob/connections/",
}

# Where each field can show up: the vCard holds no photo and no connections.
IN_VCARD = set(MARKERS) - {"photo", "connections"}
# Search reads only name, handle and headline: what every member may see.
SEARCHABLE = {"name", "headline"}

RELATIONS = [
    "anonymous",
    "member",
    "pending_out",
    "pending_in",
    "connection",
    "self",
    "blocked",
    "blocked_by",
    "deactivated",
    "suspended",
    "staff",
    "staff_suspended",
    "moderator_suspended",
]

SEES = {
    "anonymous": {Audience.PUBLIC},
    "member": {Audience.PUBLIC, Audience.MEMBERS},
    "pending_out": {Audience.PUBLIC, Audience.MEMBERS},
    "pending_in": {Audience.PUBLIC, Audience.MEMBERS},
    "connection": {Audience.PUBLIC, Audience.MEMBERS, Audience.CONNECTIONS},
    "self": set(Audience),
    "staff": {Audience.PUBLIC, Audience.MEMBERS},
    "moderator_suspended": {Audience.PUBLIC, Audience.MEMBERS},
}
# Staff without the moderation permission see suspended members as members do.
NOT_FOUND = {"blocked", "blocked_by", "deactivated", "suspended", "staff_suspended"}


def make_bob(audience):
    bob = UserFactory(
        email="bob@example.com",
        handle="bob",
        display_name=f"Bob {MARKERS['name']}",
        headline=f"Engineer {MARKERS['headline']}",
    )
    EmailAddress.objects.create(
        user=bob, email="zqxemail@example.org", verified=True, primary=False
    )
    audiences = {
        f"{field}_audience": (
            audience
            if field not in ("name", "headline") or audience in NAME_AUDIENCES
            else Audience.PUBLIC
        )
        for field in DEFAULT_AUDIENCES
    }
    Profile.objects.create(
        member=bob,
        photo_key=f"{MARKERS['photo']}0123456789",
        location=f"Lyon {MARKERS['location']}",
        about=f"First paragraph {MARKERS['about']}.\n\nSecond one.",
        website=f"https://{MARKERS['website']}.example.org/",
        emails=["zqxemail@example.org"],
        phone=MARKERS["phone"],
        birthday_day=17,
        birthday_month=3,
        birthday_year=1987,
        **audiences,
    )
    WorkEntryFactory(member=bob, organization=f"Acme {MARKERS['work']}", title="CTO")
    return bob


def viewer_for(relation, bob):
    if relation == "anonymous":
        return None
    if relation == "self":
        return bob
    viewer = UserFactory(
        display_name="Vera Viewer",
        headline="Watcher",
        is_staff=relation.startswith(("staff", "moderator")),
    )
    moderator = UserFactory(is_staff=True)
    moderator.user_permissions.add(
        Permission.objects.get(
            codename="moderate", content_type__app_label="connections"
        )
    )
    if relation == "moderator_suspended":
        viewer.user_permissions.add(*moderator.user_permissions.all())
    if relation == "pending_out":
        ConnectionRequestFactory(sender=viewer, recipient=bob)
    elif relation == "pending_in":
        ConnectionRequestFactory(sender=bob, recipient=viewer)
    elif relation == "connection":
        connect(viewer, bob)
    elif relation == "blocked":
        BlockFactory(blocker=viewer, blocked=bob)
    elif relation == "blocked_by":
        BlockFactory(blocker=bob, blocked=viewer)
    if relation == "deactivated":
        bob.is_active = False
        bob.save(update_fields=["is_active"])
    if relation in ("suspended", "staff_suspended", "moderator_suspended"):
        member_suspend(member=bob, staff_member=moderator, reason="Spam, twice")
    return get_user_model().objects.get(pk=viewer.pk)


def expected_fields(relation, audience) -> set[str]:
    shown = set()
    for field in MARKERS:
        field_audience = (
            audience
            if field not in ("name", "headline") or audience in NAME_AUDIENCES
            else Audience.PUBLIC
        )
        if field_audience in SEES[relation]:
            shown.add(field)
    return shown


def marker_in(field, text) -> bool:
    return MARKERS[field] in text


@pytest.mark.parametrize("audience", list(Audience))
@pytest.mark.parametrize("relation", RELATIONS)
def test_each_field_reaches_exactly_the_viewers_its_audience_allows(
    db, client, relation, audience
):
    bob = make_bob(audience)
    viewer = viewer_for(relation, bob)
    browser = signed_in_client(viewer) if viewer else client
    profile_url = reverse("connections:profile", args=["bob"])
    page = browser.get(profile_url)
    fragment = browser.get(profile_url, **HTMX)
    if relation in NOT_FOUND:
        assert page.status_code == 404
        assert fragment.status_code == 404
        for field in MARKERS:
            assert not marker_in(field, page.content.decode())
        if viewer is not None:
            vcard = browser.get(reverse("contacts:member_vcard", args=["bob"]))
            assert vcard.status_code == 404
        return
    assert page.status_code == 200
    assert fragment.status_code == 200
    expected = expected_fields(relation, audience)
    page_text, fragment_text = page.content.decode(), fragment.content.decode()
    assert "<html" not in fragment_text
    for field in MARKERS:
        assert marker_in(field, page_text) == (field in expected), (field, "page")
        assert marker_in(field, fragment_text) == (field in expected), (
            field,
            "fragment",
        )
    if viewer is None:
        vcard = browser.get(reverse("contacts:member_vcard", args=["bob"]))
        assert vcard.status_code == 302  # to sign in
        return
    vcard = browser.get(reverse("contacts:member_vcard", args=["bob"]))
    assert vcard.status_code == 200
    assert vcard["Content-Disposition"] == 'attachment; filename="bob.vcf"'
    card = vcard.content.decode()
    for field in IN_VCARD:
        assert marker_in(field, card) == (field in expected), (field, "vcard")
    # The export of the viewer's connections holds Bob's card only when they
    # are connected, with exactly what his profile shows them.
    export = b"".join(
        browser.post(
            reverse("contacts:export_download"),
            {"scope": "connections", "format": "vcard3"},
        ).streaming_content
    ).decode()
    assert ("/in/bob/" in export) == (relation == "connection"), "export"
    for field in IN_VCARD:
        assert marker_in(field, export) == (
            relation == "connection" and field in expected
        ), (field, "export")
    search = reverse("connections:search")
    for field in MARKERS:
        word = MARKERS[field].strip("/+ ").split()[0].split("/")[-1]
        results = browser.get(search, {"q": word}).content.decode()
        found = 'class="item-title" href="/in/bob/"' in results
        should_find = (
            field in SEARCHABLE
            and relation not in ("self", "moderator_suspended")
            and field in expected
        )
        assert found == should_find, (field, "search", word)


@pytest.mark.parametrize("view_as", ["public", "member", "connection"])
def test_view_as_shows_exactly_what_that_viewer_gets(db, client, view_as):
    """The preview and the real viewer's page hold the same fields."""
    bob = make_bob(Audience.MEMBERS)
    Profile.objects.filter(member=bob).update(
        phone_audience=Audience.CONNECTIONS,
        emails_audience=Audience.ONLY_ME,
        photo_audience=Audience.PUBLIC,
        location_audience=Audience.PUBLIC,
    )
    relation = {"public": "anonymous", "member": "member", "connection": "connection"}
    viewer = viewer_for(relation[view_as], bob)
    real = (signed_in_client(viewer) if viewer else client).get("/in/bob/")
    preview = signed_in_client(bob).get(f"/in/bob/?view_as={view_as}", **HTMX)
    for field in MARKERS:
        assert marker_in(field, real.content.decode()) == marker_in(
            field, preview.content.decode()
        ), field


def test_photo_files_are_named_from_the_generated_key():
    assert photo_path("ab12cd", "xl") == "profile-photos/ab/ab12cd-xl.jpg"
