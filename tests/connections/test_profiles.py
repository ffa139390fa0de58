"""Profiles: the edit page, photos, work history, handles, vCard, query budgets."""

import datetime
import importlib
import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from connections.models import Audience, Profile, RetiredHandle, WorkEntry
from connections.models.profiles import WORK_ENTRIES_MAX
from connections.photos import PHOTO_SIZES, photo_path
from connections.services.members import handle_available
from connections.services.profiles import member_handle_change, work_entry_add
from contacts.models import Contact
from tests.conftest import HTMX, signed_in_client
from tests.factories import (
    DEFAULT_PASSWORD,
    BlockFactory,
    ProfileFactory,
    UserFactory,
    WorkEntryFactory,
    connect,
)

EDIT = "/settings/profile/"


def profile_post(**changes):
    data = {
        "form": "profile",
        "display_name": "Alice Martin",
        "headline": "Product designer",
        "location": "",
        "about": "",
        "website": "",
        "phone": "",
        "birthday_day": "",
        "birthday_month": "",
        "birthday_year": "",
        "findable_by_email": "on",
        "name_audience": "public",
        "headline_audience": "public",
        "photo_audience": "public",
        "location_audience": "members",
        "about_audience": "members",
        "work_audience": "members",
        "emails_audience": "connections",
        "phone_audience": "connections",
        "birthday_audience": "connections",
        "website_audience": "connections",
        "connections_audience": "connections",
    }
    data.update(changes)
    return data


def picture(fmt="JPEG", size=(300, 200), exif=None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 60))
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, fmt, **kwargs)
    return out.getvalue()


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


class TestEditPage:
    def test_defaults_follow_the_design(self, alice_client):
        page = alice_client.get(EDIT)
        assert page.status_code == 200
        form = page.context["profile_form"]
        assert form["name_audience"].value() == "public"
        assert form["location_audience"].value() == "members"
        assert form["phone_audience"].value() == "connections"
        assert form["connections_audience"].value() == "connections"

    def test_saving_stores_fields_audiences_and_findability(self, alice, alice_client):
        response = alice_client.post(
            EDIT,
            profile_post(
                display_name="Alice  M.",
                phone="+33 1 23 45 67 89",
                phone_audience="only_me",
                website="alice.example.org",
                birthday_day="3",
                birthday_month="4",
                emails=["alice@example.com"],
                findable_by_email="",
            ),
        )
        assert response.status_code == 302
        alice.refresh_from_db()
        profile = Profile.objects.get(member=alice)
        assert alice.display_name == "Alice M."
        assert alice.findable_by_email is False
        assert profile.phone == "+33 1 23 45 67 89"
        assert profile.phone_audience == Audience.ONLY_ME
        assert profile.website == "https://alice.example.org"
        assert (profile.birthday_day, profile.birthday_month) == (3, 4)
        assert profile.emails == ["alice@example.com"]

    def test_bad_input_keeps_what_was_typed(self, alice, alice_client):
        response = alice_client.post(
            EDIT,
            profile_post(
                about="A long story I typed",
                website="javascript:alert(1)",
                birthday_day="31",
                birthday_month="2",
                phone_audience="only_me",
            ),
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert "A long story I typed" in body
        assert "Enter a web address starting with http:// or https://." in body
        assert "That month has 29 days." in body
        assert response.context["profile_form"]["phone_audience"].value() == "only_me"
        assert not Profile.objects.filter(member=alice).exists()

    def test_name_cannot_be_hidden_from_members(self, alice, alice_client):
        response = alice_client.post(EDIT, profile_post(name_audience="only_me"))
        assert response.status_code == 200
        assert not Profile.objects.filter(member=alice).exists()

    def test_only_verified_addresses_can_be_shown(self, alice, alice_client):
        EmailAddress.objects.create(
            user=alice, email="unverified@example.com", verified=False
        )
        response = alice_client.post(
            EDIT, profile_post(emails=["unverified@example.com"])
        )
        assert response.status_code == 200
        assert not Profile.objects.filter(member=alice).exists()

    def test_work_history_add_and_remove(self, alice, alice_client):
        added = alice_client.post(
            EDIT,
            {
                "form": "work_add",
                "organization": "Acme",
                "title": "Designer",
                "started": "2019-05",
                "ended": "2022-01",
            },
        )
        assert added.status_code == 302
        entry = WorkEntry.objects.get(member=alice)
        assert str(entry.started) == "2019-05-01"
        removed = alice_client.post(EDIT, {"form": "work_remove", "entry": entry.pk})
        assert removed.status_code == 302
        assert not WorkEntry.objects.filter(member=alice).exists()

    def test_work_entry_errors_keep_input(self, alice, alice_client):
        response = alice_client.post(
            EDIT,
            {
                "form": "work_add",
                "organization": "Acme",
                "title": "Typed title",
                "started": "2022-05",
                "ended": "2020-01",
            },
        )
        assert response.status_code == 200
        assert "The end comes before the start." in response.content.decode()
        assert "Typed title" in response.content.decode()
        assert not WorkEntry.objects.exists()

    def test_removing_someone_elses_position_does_nothing(self, alice_client, bob):
        entry = WorkEntryFactory(member=bob)
        alice_client.post(EDIT, {"form": "work_remove", "entry": entry.pk})
        assert WorkEntry.objects.filter(pk=entry.pk).exists()

    def test_signed_out_visitors_are_sent_to_sign_in(self, client):
        assert client.get(EDIT).status_code == 302


class TestWorkHistoryAddedTwice:
    """A double click on "Add position" adds it once."""

    position = {
        "organization": "Atelier Nord",
        "title": "Designer",
        "started": datetime.date(2021, 3, 1),
        "description": "Brand and print.",
    }

    def test_the_same_position_sent_twice_is_added_once(self, alice):
        first = work_entry_add(member=alice, **self.position)
        second = work_entry_add(member=alice, **self.position)

        assert second.pk == first.pk
        assert WorkEntry.objects.filter(member=alice).count() == 1

    def test_a_position_that_differs_in_anything_is_added(self, alice):
        work_entry_add(member=alice, **self.position)
        work_entry_add(member=alice, **{**self.position, "title": "Art director"})
        work_entry_add(
            member=alice, **{**self.position, "ended": datetime.date(2023, 1, 1)}
        )

        assert WorkEntry.objects.filter(member=alice).count() == 3

    def test_the_same_position_added_again_later_is_added(self, alice):
        first = work_entry_add(member=alice, **self.position)
        WorkEntry.objects.filter(pk=first.pk).update(
            created=first.created - datetime.timedelta(hours=1)
        )

        work_entry_add(member=alice, **self.position)

        assert WorkEntry.objects.filter(member=alice).count() == 2

    def test_a_repeat_is_not_refused_by_the_limit(self, alice):
        WorkEntryFactory.create_batch(WORK_ENTRIES_MAX - 1, member=alice)
        last = work_entry_add(member=alice, **self.position)

        assert work_entry_add(member=alice, **self.position).pk == last.pk

    def test_another_members_position_is_not_theirs(self, alice, bob):
        work_entry_add(member=bob, **self.position)
        work_entry_add(member=alice, **self.position)

        assert WorkEntry.objects.filter(member=alice).count() == 1

    def test_a_double_click_on_the_page_adds_one_and_answers_alike(
        self, alice, alice_client
    ):
        data = {
            "form": "work_add",
            "organization": "Atelier Nord",
            "title": "Designer",
            "started": "2021-03",
        }

        first = alice_client.post(EDIT, data)
        second = alice_client.post(EDIT, data)

        assert first.status_code == second.status_code == 302
        assert first["Location"] == second["Location"]
        assert WorkEntry.objects.filter(member=alice).count() == 1
        shown = alice_client.get(EDIT).content.decode()
        assert shown.count("Designer · Atelier Nord") == 1
        assert "Position added to your work history." in shown


class TestPhotos:
    def upload(self, client, data, name="me.jpg", content_type="image/jpeg"):
        return client.post(
            EDIT,
            {"form": "photo", "photo": SimpleUploadedFile(name, data, content_type)},
        )

    def test_upload_stores_resized_copies_under_a_generated_name(
        self, media, alice, alice_client
    ):
        response = self.upload(alice_client, picture(size=(800, 600)), name="../x.jpg")
        assert response.status_code == 302
        key = Profile.objects.get(member=alice).photo_key
        assert len(key) == 32
        for size, side in PHOTO_SIZES.items():
            with default_storage.open(photo_path(key, size)) as stored:
                assert Image.open(stored).size == (side, side)
        assert not list(media.rglob("x.jpg"))

    def test_exif_is_removed(self, media, alice, alice_client):
        exif = Image.Exif()
        exif[0x010F] = "SecretCameraMaker"  # Make
        exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPS
        data = picture(exif=exif.tobytes())
        assert b"SecretCameraMaker" in data
        assert self.upload(alice_client, data).status_code == 302
        key = Profile.objects.get(member=alice).photo_key
        for size in PHOTO_SIZES:
            with default_storage.open(photo_path(key, size)) as stored:
                raw = stored.read()
            assert b"SecretCameraMaker" not in raw
            assert not Image.open(io.BytesIO(raw)).getexif()

    @override_settings(RAPPORT_PROFILE_PHOTO_MAX_BYTES=1000)
    def test_oversize_upload_is_refused(self, media, alice, alice_client):
        response = self.upload(alice_client, picture(size=(900, 900)) + b"\0" * 2000)
        assert response.status_code == 200
        assert "The photo is too large" in response.content.decode()
        assert not Profile.objects.filter(member=alice).exclude(photo_key="").exists()

    @override_settings(RAPPORT_PROFILE_PHOTO_MAX_BYTES=1000)
    def test_a_huge_body_is_refused_before_it_is_read(self, media, alice_client):
        data = b"x" * (70 * 1024)
        response = self.upload(alice_client, data)
        assert response.status_code == 413
        assert "The photo is too large" in response.content.decode()

    def test_five_mebibytes_is_the_default_limit(self, settings):
        assert settings.RAPPORT_PROFILE_PHOTO_MAX_BYTES == 5 * 1024 * 1024

    @pytest.mark.parametrize(
        "data",
        [b"hello, not a picture", b"", b"GIF89a" + b"\0" * 40, b"%PDF-1.4 fake"],
    )
    def test_non_images_are_refused_whatever_their_name(
        self, media, alice, alice_client, data
    ):
        response = self.upload(alice_client, data, name="photo.png")
        assert response.status_code == 200
        assert not Profile.objects.filter(member=alice).exclude(photo_key="").exists()
        assert not list(media.rglob("*.jpg"))

    def test_png_with_transparency_is_accepted(self, media, alice, alice_client):
        image = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
        out = io.BytesIO()
        image.save(out, "PNG")
        assert self.upload(alice_client, out.getvalue(), "a.png").status_code == 302

    def test_a_phone_jpeg_holding_a_second_picture_is_accepted(
        self, media, alice, alice_client
    ):
        """Phones write the depth or HDR map of a photo as a second picture in
        the same JPEG (Multi-Picture Format): its first picture is the photo."""
        photo = Image.new("RGB", (300, 300), (200, 30, 30))
        depth_map = Image.new("RGB", (300, 300), (0, 0, 250))
        out = io.BytesIO()
        photo.save(out, "MPO", save_all=True, append_images=[depth_map])
        assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
        assert (
            self.upload(alice_client, out.getvalue(), "IMG_0042.JPG").status_code == 302
        )
        key = Profile.objects.get(member=alice).photo_key
        with default_storage.open(photo_path(key, "sm")) as stored:
            red, green, blue = Image.open(stored).convert("RGB").getpixel((48, 48))
        assert red > 150 > blue

    def test_replacing_and_removing_delete_the_old_files(
        self, media, alice, alice_client, django_capture_on_commit_callbacks
    ):
        self.upload(alice_client, picture())
        first = Profile.objects.get(member=alice).photo_key
        with django_capture_on_commit_callbacks(execute=True):
            self.upload(alice_client, picture(fmt="PNG"), "b.png")
        second = Profile.objects.get(member=alice).photo_key
        assert first != second
        assert not default_storage.exists(photo_path(first, "xl"))
        assert default_storage.exists(photo_path(second, "xl"))
        with django_capture_on_commit_callbacks(execute=True):
            alice_client.post(EDIT, {"form": "photo_remove"})
        assert Profile.objects.get(member=alice).photo_key == ""
        assert not default_storage.exists(photo_path(second, "xl"))

    def test_photo_shows_on_the_profile(self, media, alice, alice_client, client):
        self.upload(alice_client, picture())
        key = Profile.objects.get(member=alice).photo_key
        assert key in client.get("/in/alice/").content.decode()

    def test_own_photo_shows_in_the_header_and_on_home_whatever_its_audience(
        self, media, alice, alice_client, django_assert_max_num_queries
    ):
        self.upload(alice_client, picture())
        Profile.objects.filter(member=alice).update(photo_audience="only_me")
        key = Profile.objects.get(member=alice).photo_key
        html = alice_client.get("/").content.decode()
        header, _, page = html.partition('id="main"')
        # The header's button and its menu, then the card on Home.
        assert header.count(f"/{key}-") == 2
        assert page.count(f"/{key}-") == 1
        assert header.count(">AM</span>") == 0
        with django_assert_max_num_queries(3):
            # Session, member, then the badges with the photo in one query.
            alice_client.get("/settings/")

    def test_without_a_photo_the_header_shows_initials(self, alice, alice_client):
        header = alice_client.get("/").content.decode().partition('id="main"')[0]
        assert header.count(">AM</span>") == 2


class TestHandles:
    def test_old_handle_redirects_and_is_never_reused(self, alice, alice_client, bob):
        response = alice_client.post(EDIT, {"form": "handle", "handle": "alice-m"})
        assert response.status_code == 302
        alice.refresh_from_db()
        assert alice.handle == "alice-m"
        assert RetiredHandle.objects.filter(handle="alice", member=alice).exists()
        moved = signed_in_client(bob).get("/in/alice/?view_as=public")
        assert moved.status_code == 302
        assert moved["Location"] == "/in/alice-m/?view_as=public"
        taken = signed_in_client(bob).post(EDIT, {"form": "handle", "handle": "alice"})
        assert taken.status_code == 200
        assert "This handle is taken" in taken.content.decode()
        assert handle_available(base="alice") != "alice"

    def test_a_member_may_take_back_their_old_handle(self, alice, alice_client):
        alice_client.post(EDIT, {"form": "handle", "handle": "alice-m"})
        alice_client.post(EDIT, {"form": "handle", "handle": "alice"})
        alice.refresh_from_db()
        assert alice.handle == "alice"
        assert alice_client.get("/in/alice-m/").status_code == 302

    def test_old_handle_of_a_blocker_is_a_404(self, alice, alice_client, bob):
        alice_client.post(EDIT, {"form": "handle", "handle": "alice-m"})
        BlockFactory(blocker=alice, blocked=bob)
        assert signed_in_client(bob).get("/in/alice/").status_code == 404

    def test_handle_is_lowercased(self, alice, alice_client):
        alice_client.post(EDIT, {"form": "handle", "handle": " Alice-New "})
        alice.refresh_from_db()
        assert alice.handle == "alice-new"

    def test_taken_handle_is_refused(self, alice_client, bob):
        response = alice_client.post(EDIT, {"form": "handle", "handle": "bob"})
        assert response.status_code == 200
        assert "This handle is taken" in response.content.decode()

    @pytest.fixture
    def checks_passed(self, monkeypatch):
        """As when another member took the handle after the checks read it:
        only the database's unique constraint is left to refuse it."""
        from connections.services import profiles

        monkeypatch.setattr(profiles, "handle_taken", lambda handle, member: False)

    def test_a_handle_taken_at_the_same_moment_is_refused_as_taken(
        self, alice, bob, checks_passed
    ):
        with pytest.raises(ValidationError) as refused:
            member_handle_change(member=alice, handle="bob")

        assert refused.value.message_dict == {
            "handle": ["This handle is taken. Try another one."]
        }
        alice.refresh_from_db()
        assert alice.handle == "alice"
        assert not RetiredHandle.objects.filter(member=alice).exists()

    def test_the_page_says_the_handle_is_taken_when_it_went_at_the_same_moment(
        self, alice, alice_client, bob, checks_passed
    ):
        response = alice_client.post(EDIT, {"form": "handle", "handle": "bob"})

        assert response.status_code == 200
        assert "This handle is taken" in response.content.decode()
        alice.refresh_from_db()
        assert alice.handle == "alice"


class TestConnectionsList:
    def test_connections_see_the_list_strangers_get_404(
        self, alice, bob, carol, client
    ):
        connect(alice, bob)
        connect(alice, carol)
        url = reverse("connections:profile_connections", args=["alice"])
        listed = signed_in_client(bob).get(url)
        assert listed.status_code == 200
        assert "Carol Nguyen" in listed.content.decode()
        assert client.get(url).status_code == 404
        assert signed_in_client(UserFactory()).get(url).status_code == 404

    def test_public_list_hides_names_members_only(self, alice, bob, client):
        connect(alice, bob)
        ProfileFactory(member=alice, connections_audience=Audience.PUBLIC)
        ProfileFactory(member=bob, name_audience=Audience.MEMBERS)
        url = reverse("connections:profile_connections", args=["alice"])
        body = client.get(url).content.decode()
        assert "@bob" in body
        assert "Bob Okafor" not in body

    def test_the_list_leaves_out_members_who_blocked_the_viewer(
        self, alice, bob, carol
    ):
        connect(alice, bob)
        connect(alice, carol)
        BlockFactory(blocker=carol, blocked=bob)
        url = reverse("connections:profile_connections", args=["alice"])
        assert "Carol Nguyen" not in signed_in_client(bob).get(url).content.decode()


class TestContactsFromProfile:
    def test_save_to_contacts_copies_what_the_viewer_sees(self, alice, bob):
        connect(alice, bob)
        ProfileFactory(
            member=bob,
            phone="+1 555 0100",
            location="Lagos",
            birthday_day=2,
            birthday_month=5,
            about="Hi there",
            website="https://bob.example.org",
            emails=["bob@example.com"],
            birthday_audience=Audience.ONLY_ME,
        )
        WorkEntryFactory(member=bob, organization="Okafor Labs", title="CTO")
        response = signed_in_client(alice).post("/contacts/from-member/bob/")
        assert response.status_code == 302
        contact = Contact.objects.get(owner=alice, member=bob)
        assert contact.display_name == "Bob Okafor"
        assert contact.organization == "Okafor Labs"
        assert contact.job_title == "Backend engineer"
        assert contact.notes == "Hi there"
        assert [p.value for p in contact.phones.all()] == ["+1 555 0100"]
        assert [e.value for e in contact.emails.all()] == ["bob@example.com"]
        assert [w.url for w in contact.websites.all()] == ["https://bob.example.org"]
        assert contact.birthday_day is None

    def test_a_member_who_is_not_connected_saves_less(self, alice, carol):
        ProfileFactory(member=carol, phone="+1 555 0199")
        signed_in_client(alice).post("/contacts/from-member/carol/")
        contact = Contact.objects.get(owner=alice, member=carol)
        assert not contact.phones.exists()
        assert contact.job_title == "Community organiser"

    def test_blocked_member_cannot_be_saved_or_downloaded(self, alice, bob):
        BlockFactory(blocker=bob, blocked=alice)
        client = signed_in_client(alice)
        assert client.post("/contacts/from-member/bob/").status_code == 404
        assert client.get("/contacts/members/bob/vcard/").status_code == 404
        assert not Contact.objects.filter(owner=alice).exists()

    def test_vcard_is_a_download(self, alice, bob):
        connect(alice, bob)
        response = signed_in_client(alice).get("/contacts/members/bob/vcard/")
        assert response["Content-Type"].startswith("text/vcard")
        assert 'filename="bob.vcf"' in response["Content-Disposition"]
        assert "FN:Bob Okafor" in response.content.decode()

    def test_connection_sees_save_and_vcard_buttons(self, alice, bob):
        connect(alice, bob)
        body = signed_in_client(alice).get("/in/bob/").content.decode()
        assert "/contacts/from-member/bob/" in body
        assert "/contacts/members/bob/vcard/" in body


class TestProfilePage:
    def test_connection_gets_mailto_and_tel_links(self, alice, bob):
        connect(alice, bob)
        ProfileFactory(member=bob, phone="+1 555 0100", emails=["bob@example.com"])
        body = signed_in_client(alice).get("/in/bob/").content.decode()
        assert 'href="tel:+15550100"' in body
        assert 'href="mailto:bob@example.com"' in body

    def test_pending_invitation_shows_as_such(self, alice, bob):
        from tests.factories import ConnectionRequestFactory

        ConnectionRequestFactory(sender=alice, recipient=bob)
        body = signed_in_client(alice).get("/in/bob/").content.decode()
        assert "Pending" in body

    def test_view_as_is_ignored_on_someone_elses_profile(self, alice, bob):
        ProfileFactory(member=bob, phone="+1 555 0100", phone_audience="members")
        body = signed_in_client(alice).get("/in/bob/?view_as=connection")
        assert "+1 555 0100" in body.content.decode()
        ProfileFactory(member=bob, phone="+1 555 0100", phone_audience="only_me")
        Profile.objects.filter(member=bob).update(phone_audience="only_me")
        body = signed_in_client(alice).get("/in/bob/?view_as=connection")
        assert "+1 555 0100" not in body.content.decode()

    def test_own_profile_shows_audiences_and_view_as(self, alice, alice_client):
        body = alice_client.get("/in/alice/").content.decode()
        assert "View as" in body
        assert "Edit profile" in body

    def test_own_empty_profile_links_to_where_each_part_is_filled_in(
        self, alice, alice_client, bob
    ):
        body = alice_client.get("/in/alice/").content.decode()
        assert 'href="/settings/profile/#profile-fields">Settings › Profile' in body
        assert 'href="/settings/profile/#work-history">Settings › Profile' in body
        assert 'href="/#composer">Share one from Home' in body
        connections = alice_client.get("/in/alice/connections/").content.decode()
        assert 'href="/network/search/">Find the members you know' in connections
        # Others see no such hints, only that there is nothing to show.
        ProfileFactory(member=alice, connections_audience="members")
        Profile.objects.filter(member=alice).update(connections_audience="members")
        theirs = signed_in_client(bob).get("/in/alice/connections/").content.decode()
        assert "No connections to show yet." in theirs
        assert "Find the members you know" not in theirs
        seen = signed_in_client(bob).get("/in/alice/").content.decode()
        assert "Settings › Profile" not in seen
        assert "Share one from Home" not in seen

    def test_fragment_for_htmx(self, alice, alice_client):
        response = alice_client.get("/in/alice/?view_as=public", **HTMX)
        assert response.status_code == 200
        assert b"<html" not in response.content
        assert b'id="profile-body"' in response.content
        assert "HX-Request" in response["Vary"]


def confirm_password(client):
    """Enter the password again, as changing an email address asks."""
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})


class TestShownEmails:
    """An address leaves the profile as soon as it is no longer the member's."""

    def test_an_address_changed_for_another_leaves_the_profile(
        self, alice, bob, alice_client, bob_client
    ):
        connect(alice, bob)
        ProfileFactory(member=alice, emails=["alice@example.com"])
        assert "alice@example.com" in bob_client.get("/in/alice/").content.decode()

        confirm_password(alice_client)
        added = alice_client.post(
            reverse("account_email"),
            {"action_add": "", "email": "alice.new@example.com"},
        )
        assert added.status_code == 302
        link = re.search(
            r"http://testserver(/accounts/confirm-email/\S+)", mail.outbox[-1].body
        )
        assert alice_client.post(link.group(1)).status_code == 302

        assert list(
            EmailAddress.objects.filter(user=alice).values_list("email", flat=True)
        ) == ["alice.new@example.com"]
        assert Profile.objects.get(member=alice).emails == []
        page = bob_client.get("/in/alice/").content.decode()
        vcard = bob_client.get(
            reverse("contacts:member_vcard", args=["alice"])
        ).content.decode()
        assert "alice@example.com" not in page
        assert "alice@example.com" not in vcard
        assert "FN:Alice Martin" in vcard

    def test_an_address_removed_on_the_emails_page_leaves_the_profile(
        self, alice, bob, alice_client, bob_client
    ):
        connect(alice, bob)
        EmailAddress.objects.create(
            user=alice, email="alice.work@example.com", verified=True
        )
        ProfileFactory(
            member=alice, emails=["alice@example.com", "alice.work@example.com"]
        )

        confirm_password(alice_client)
        removed = alice_client.post(
            reverse("account_email"),
            {"action_remove": "", "email": "alice.work@example.com"},
        )

        assert removed.status_code == 302
        assert not EmailAddress.objects.filter(email="alice.work@example.com").exists()
        assert Profile.objects.get(member=alice).emails == ["alice@example.com"]
        page = bob_client.get("/in/alice/").content.decode()
        assert "alice.work@example.com" not in page
        assert 'href="mailto:alice@example.com"' in page

    def test_an_address_no_longer_verified_leaves_the_profile(self, alice):
        work = EmailAddress.objects.create(
            user=alice, email="alice.work@example.com", verified=True
        )
        ProfileFactory(
            member=alice, emails=["alice@example.com", "alice.work@example.com"]
        )

        work.verified = False
        work.save()

        assert Profile.objects.get(member=alice).emails == ["alice@example.com"]

    def test_an_address_deleted_by_staff_leaves_only_its_members_profile(
        self, alice, bob
    ):
        EmailAddress.objects.create(
            user=alice, email="alice.work@example.com", verified=True
        )
        ProfileFactory(
            member=alice, emails=["alice@example.com", "alice.work@example.com"]
        )
        ProfileFactory(member=bob, emails=["bob@example.com"])

        EmailAddress.objects.filter(email="alice.work@example.com").delete()

        assert Profile.objects.get(member=alice).emails == ["alice@example.com"]
        assert Profile.objects.get(member=bob).emails == ["bob@example.com"]

    def test_the_migration_takes_addresses_given_up_before_off_profiles(
        self, alice, bob
    ):
        ProfileFactory(member=alice, emails=["alice@example.com"])
        ProfileFactory(member=bob, emails=["bob@example.com"])
        Profile.objects.filter(member=alice).update(
            emails=["alice.old@example.com", "alice@example.com"]
        )
        migration = importlib.import_module(
            "connections.migrations.0013_profile_emails_verified_only"
        )

        migration.prune_profile_emails(apps, None)

        assert Profile.objects.get(member=alice).emails == ["alice@example.com"]
        assert Profile.objects.get(member=bob).emails == ["bob@example.com"]


def hub_with(n):
    hub = UserFactory()
    others = UserFactory.create_batch(n)
    for other in others:
        connect(hub, other)
    return hub


@pytest.mark.parametrize("viewer_kind", ["anonymous", "member", "connection", "self"])
def test_profile_query_budget_is_fixed(
    db, client, viewer_kind, django_assert_num_queries
):
    """The same count for a member with 1 connection and one with many."""
    counts = []
    for size in (1, 12):
        member = hub_with(size)
        ProfileFactory(member=member, phone="1", work_audience="public")
        WorkEntryFactory(member=member)
        viewer = {
            "anonymous": None,
            "member": hub_with(size),
            "connection": hub_with(size),
            "self": member,
        }[viewer_kind]
        if viewer_kind == "connection":
            connect(viewer, member)
        browser = signed_in_client(viewer) if viewer else client
        url = member.get_absolute_url()
        browser.get(url)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert browser.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert counts[0] <= 8


class TestPhotosInLists:
    @pytest.mark.parametrize(
        ("audience", "shown"),
        [
            ("public", True),
            ("members", True),
            ("connections", False),
            ("only_me", False),
        ],
    )
    def test_search_and_suggestions_show_photos_every_member_may_see(
        self, alice, bob, carol, audience, shown
    ):
        ProfileFactory(member=bob, photo_key="feedface" * 4, photo_audience=audience)
        connect(alice, carol)
        connect(carol, bob)
        client = signed_in_client(alice)
        found = client.get(reverse("connections:search"), {"q": "okafor"})
        assert ("feedface" in found.content.decode()) == shown
        network = client.get(reverse("connections:network"))
        assert "Bob Okafor" in network.content.decode()
        assert ("feedface" in network.content.decode()) == shown
