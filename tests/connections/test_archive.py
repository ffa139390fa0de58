"""Settings › Your data: a member downloads everything they keep, as one ZIP file."""

import csv
import datetime
import io
import json
import zipfile

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from connections.archive import FOLDER, archive_stream
from connections.models import Connection, RetiredHandle
from connections.services.depth import connection_keep_in_touch_set
from connections.services.moderation import (
    member_suspend,
    member_warn,
    report_create,
    warnings_mark_seen,
)
from connections.services.network import block_create, email_invitation_send
from connections.services.profiles import member_handle_change, profile_photo_set
from connections.services.updates import like_toggle
from contacts.models import ContactImport
from contacts.services.address_books import address_book_set_region
from contacts.services.duplicates import contacts_mark_not_duplicates, contacts_merge
from contacts.vcard import contact_uid
from tests.conftest import visible_text
from tests.connections.test_profiles import picture
from tests.factories import (
    DEFAULT_PASSWORD,
    BlockFactory,
    CommentFactory,
    ConnectionRequestFactory,
    ContactFactory,
    LabelFactory,
    ProfileFactory,
    UpdateFactory,
    UserFactory,
    WorkEntryFactory,
    bulk_messages,
    connect,
    send_message,
)

PAGE = reverse("connections:your_data")
DOWNLOAD = reverse("connections:your_data_download")


def download(client) -> zipfile.ZipFile:
    response = client.post(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    return archive


def rows(archive, name) -> list[dict]:
    text = archive.read(f"{FOLDER}/{name}").decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_archive_holds_the_profile_network_and_address_book(
    alice, bob, carol, alice_client
):
    ProfileFactory(member=alice, location="Lyon", about="Designs things.")
    WorkEntryFactory(member=alice, organization="Atelier Nord")
    connect(alice, bob)
    Connection.objects.filter(member=alice, other=bob).update(
        kind="close", note="Met at the climbing gym"
    )
    ConnectionRequestFactory(sender=alice, recipient=carol, note="Hello Carol")
    ContactFactory(owner=alice, given_name="Zoe", family_name="Keller")
    ContactFactory(owner=bob, given_name="Not", family_name="Alices")

    archive = download(alice_client)

    names = {name.removeprefix(f"{FOLDER}/") for name in archive.namelist()}
    assert names == {
        "README.txt",
        "profile.json",
        "security.json",
        "connections.csv",
        "invitations.csv",
        "email_invitations.csv",
        "blocked.csv",
        "messages.csv",
        "updates.csv",
        "comments.csv",
        "likes.csv",
        "reports.csv",
        "warnings.csv",
        "contacts.vcf",
        "labels.csv",
        "imports.csv",
        "merges.csv",
        "not_duplicates.csv",
        "interactions.csv",
        "address_book.json",
    }
    profile = json.loads(archive.read(f"{FOLDER}/profile.json"))
    assert profile["account"]["handle"] == "alice"
    assert profile["account"]["sign_in_email"] == "alice@example.com"
    assert profile["account"]["profile"] == "http://testserver/in/alice/"
    assert profile["profile"]["location"] == "Lyon"
    assert profile["profile"]["audiences"]["phone"] == "connections"
    assert profile["work"][0]["organization"] == "Atelier Nord"
    assert profile["email_addresses"] == [
        {"address": "alice@example.com", "verified": True, "primary": True}
    ]
    (connection,) = rows(archive, "connections.csv")
    assert connection["Name"] == "Bob Okafor"
    assert connection["Profile"] == "http://testserver/in/bob/"
    assert connection["Your note"] == "Met at the climbing gym"
    (invitation,) = rows(archive, "invitations.csv")
    assert (invitation["Direction"], invitation["Handle"]) == ("sent", "carol")
    assert invitation["Note"] == "Hello Carol"
    cards = archive.read(f"{FOLDER}/contacts.vcf").decode()
    assert "FN:Zoe Keller" in cards
    assert "Alices" not in cards
    readme = archive.read(f"{FOLDER}/README.txt").decode()
    assert "@alice" in readme
    assert "contacts.vcf" in readme


def test_the_trash_comes_apart_from_the_address_book(alice, bob, alice_client):
    ContactFactory(owner=alice, given_name="Zoe", family_name="Keller")
    ContactFactory(
        owner=alice,
        given_name="Tom",
        family_name="Binned",
        emails=["tom@example.org"],
        trashed=True,
    )
    ContactFactory(owner=bob, given_name="Bobs", family_name="Binned", trashed=True)

    archive = download(alice_client)

    trash = archive.read(f"{FOLDER}/contacts-trash.vcf").decode()
    assert "FN:Tom Binned" in trash
    assert "tom@example.org" in trash
    assert "Zoe" not in trash
    assert "Bobs" not in trash
    assert "Tom" not in archive.read(f"{FOLDER}/contacts.vcf").decode()
    assert "contacts-trash.vcf" in archive.read(f"{FOLDER}/README.txt").decode()


def test_labels_are_listed_empty_ones_too_with_their_contacts(alice, bob, alice_client):
    family = LabelFactory(owner=alice, name="Family")
    LabelFactory(owner=alice, name="=1+1")
    LabelFactory(owner=bob, name="Bobs club")
    ContactFactory(owner=alice, labels=[family])
    ContactFactory(owner=alice, labels=[family])
    ContactFactory(owner=alice, labels=[family], trashed=True)

    labels = rows(download(alice_client), "labels.csv")

    assert [(row["Label"], row["Contacts (Trash aside)"]) for row in labels] == [
        ("'=1+1", "0"),
        ("Family", "2"),
    ]
    assert all(row["Created on"] for row in labels)


def imported(owner, file_name, **fields):
    now = timezone.now()
    fields = {"status": "done", "finished": now, "created": now, **fields}
    return ContactImport.objects.create(
        owner=owner, file_name=file_name, file_size=1200, **fields
    )


def test_imports_are_listed_with_what_each_did(alice, bob, alice_client):
    imported(
        alice,
        "google.csv",
        file_format="google",
        created_count=3,
        merged_count=1,
        skipped_count=2,
        label=LabelFactory(owner=alice, name="From Google"),
    )
    imported(alice, "=old.vcf", status="undone", undone=timezone.now())
    imported(alice, "waiting.vcf", status="ready", finished=None)
    imported(bob, "bobs.vcf")

    imports = rows(download(alice_client), "imports.csv")

    assert [row["File"] for row in imports] == [
        "google.csv",
        "'=old.vcf",
        "waiting.vcf",
    ]
    google, old, waiting = imports
    assert (google["Format"], google["Status"]) == ("Google Contacts CSV", "Imported")
    assert (
        google["Contacts added"],
        google["Contacts given new details"],
        google["Duplicates skipped"],
        google["Label given"],
    ) == ("3", "1", "2", "From Google")
    assert google["Imported on"]
    assert google["Undone on"] == ""
    assert (old["Status"], old["Format"]) == ("Undone", "vCard")
    assert old["Undone on"]
    assert (waiting["Status"], waiting["Imported on"]) == ("Ready to import", "")


def test_merges_and_pairs_marked_apart_name_the_members_contacts(
    alice, bob, alice_client
):
    ann = ContactFactory(owner=alice, given_name="Ann", family_name="Lee")
    annie = ContactFactory(owner=alice, given_name="Annie", family_name="Lee")
    contacts_merge(
        owner=alice, contact_ids=[ann.pk, annie.pk], choices={"name": ann.pk}
    )
    sam = ContactFactory(owner=alice, given_name="Sam", family_name="Roy")
    samuel = ContactFactory(owner=alice, given_name="Samuel", family_name="Roy")
    contacts_mark_not_duplicates(owner=alice, contact_ids=[sam.pk, samuel.pk])
    bobs = [ContactFactory(owner=bob, given_name="Bobs") for _ in range(2)]
    contacts_merge(owner=bob, contact_ids=[c.pk for c in bobs], choices={})
    contacts_mark_not_duplicates(
        owner=bob, contact_ids=[c.pk for c in ContactFactory.create_batch(2, owner=bob)]
    )

    archive = download(alice_client)

    (merge,) = rows(archive, "merges.csv")
    assert merge["Merged on"]
    assert (merge["Contact kept"], merge["Its card UID"]) == (
        "Ann Lee",
        contact_uid(ann),
    )
    assert (merge["Contacts merged into it"], merge["Their card UIDs"]) == (
        "Annie Lee",
        contact_uid(annie),
    )
    # The UIDs lead to the cards: the merged contact waits in the Trash.
    assert contact_uid(annie) in archive.read(f"{FOLDER}/contacts-trash.vcf").decode()
    (pair,) = rows(archive, "not_duplicates.csv")
    assert pair["Marked on"]
    assert (pair["Contact"], pair["Card UID"]) == ("Sam Roy", contact_uid(sam))
    assert (pair["Other contact"], pair["Other card UID"]) == (
        "Samuel Roy",
        contact_uid(samuel),
    )


FIREFOX = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
)
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


def sign_in(member, user_agent: str, ip: str) -> Client:
    browser = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)
    browser.post(
        reverse("account_login"),
        {"login": member.email, "password": DEFAULT_PASSWORD},
    )
    return browser


def test_former_handles_are_in_the_profile(alice, bob, alice_client, settings):
    settings.RAPPORT_HANDLE_REDIRECT_DAYS = 30
    member_handle_change(member=alice, handle="alice-martin")
    member_handle_change(member=bob, handle="bob-okafor")

    profile = json.loads(download(alice_client).read(f"{FOLDER}/profile.json"))

    assert profile["account"]["handle"] == "alice-martin"
    (former,) = profile["account"]["former_handles"]
    assert former["handle"] == "alice"
    given_up = RetiredHandle.objects.get(handle="alice").retired
    assert former["given_up"] == timezone.localtime(given_up).isoformat("T", "seconds")
    assert former["leads_to_my_profile_until"][:10] == str(
        timezone.localdate(given_up + datetime.timedelta(days=30))
    )


def test_security_says_whether_two_factor_is_on_and_where_one_is_signed_in(
    alice, bob, alice_client
):
    sign_in(alice, FIREFOX, "203.0.113.7")
    sign_in(alice, CHROME, "198.51.100.4")
    sign_in(bob, CHROME, "192.0.2.99")
    # Signed out elsewhere: the session is gone, its record not yet.
    gone = UserSession.objects.get(user=alice, ip="198.51.100.4")
    Session.objects.filter(session_key=gone.session_key).delete()
    totp = Authenticator.objects.create(
        user=alice, type="totp", data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    Authenticator.objects.create(
        user=alice, type="recovery_codes", data={"seed": "5ecret5eed", "used_mask": 0}
    )
    Authenticator.objects.create(user=bob, type="totp", data={"secret": "B0B5"})

    archive = download(alice_client)

    security = json.loads(archive.read(f"{FOLDER}/security.json"))
    assert security["two_factor_authentication"] == {
        "on": True,
        "on_since": timezone.localtime(totp.created_at).isoformat("T", "seconds"),
        "recovery_codes_made": True,
    }
    (browser,) = security["signed_in_browsers"]
    assert browser["browser"] == "Firefox on Windows"
    assert browser["browser_says"] == FIREFOX
    assert browser["ip_address"] == "203.0.113.7"
    assert browser["signed_in"]
    everything = b"".join(archive.read(name) for name in archive.namelist())
    for secret in (b"JBSWY3DPEHPK3PXP", b"5ecret5eed", b"B0B5", b"192.0.2.99"):
        assert secret not in everything
    for key in UserSession.objects.values_list("session_key", flat=True):
        assert key.encode() not in everything


def test_a_browser_signed_in_before_the_password_changed_is_left_out(alice):
    before = sign_in(alice, CHROME, "198.51.100.4")
    after = sign_in(alice, FIREFOX, "203.0.113.7")
    response = after.post(
        reverse("account_change_password"),
        {
            "oldpassword": DEFAULT_PASSWORD,
            "password1": "a new passphrase 2",
            "password2": "a new passphrase 2",
        },
    )
    assert response.status_code == 302
    # The old browser's session is still stored, yet signs no one in.
    stale = UserSession.objects.get(user=alice, ip="198.51.100.4")
    assert Session.objects.filter(session_key=stale.session_key).exists()

    security = json.loads(download(after).read(f"{FOLDER}/security.json"))

    assert [browser["ip_address"] for browser in security["signed_in_browsers"]] == [
        "203.0.113.7"
    ]
    # Downloading the archive changes nothing: the stored session stays.
    assert Session.objects.filter(session_key=stale.session_key).exists()
    assert before.get(reverse("usersessions_list")).status_code == 302


def test_interactions_are_the_members_own_towards_others(
    alice, bob, carol, dave, alice_client, moderator
):
    connect(alice, bob)
    connect(alice, carol)
    connect(alice, dave)
    send_message(alice, bob, "Lunch?")
    send_message(bob, alice, "Yes")
    like_toggle(update=UpdateFactory(author=carol), member=alice, like=True)
    CommentFactory(update=UpdateFactory(author=alice), author=carol, text="Nice")
    like_toggle(update=UpdateFactory(author=dave), member=alice, like=True)
    member_suspend(member=dave, staff_member=moderator, reason="Spam")

    interactions = rows(download(alice_client), "interactions.csv")

    assert [(row["Kind"], row["Towards"], row["Handle"]) for row in interactions] == [
        ("Message", "Bob Okafor", "bob"),
        ("Like", "Carol Nguyen", "carol"),
        ("Like", "Suspended member", "dave"),
    ]
    assert all(row["When"] for row in interactions)


def test_the_address_book_settings_give_the_country_for_phone_numbers(
    alice, bob, alice_client
):
    address_book_set_region(owner=alice, region="DE")
    address_book_set_region(owner=bob, region="JP")

    book = json.loads(download(alice_client).read(f"{FOLDER}/address_book.json"))

    assert book == {"country_for_phone_numbers": {"code": "DE", "country": "Germany"}}


def test_the_address_book_settings_are_described_in_a_whole_sentence(alice_client):
    # Not cut short at "the country phone numbers are read as".
    described = (
        "address_book.json: your address book’s settings: the country that "
        "phone numbers typed without a country code belong to"
    )
    readme = download(alice_client).read(f"{FOLDER}/README.txt").decode()
    assert described in readme.splitlines()
    page = alice_client.get(PAGE).content.decode()
    assert "the country that phone numbers typed without a country code" in page


def test_the_your_data_page_writes_apostrophes_as_the_site_does(alice_client):
    text = visible_text(alice_client.get(PAGE).content.decode())
    assert "Other members’ details" in text
    assert "Your address book’s settings" in text
    assert "'" not in text


def test_without_an_address_book_the_country_is_the_sites_own(alice_client, settings):
    settings.RAPPORT_CONTACTS_PHONE_REGION = "FR"

    book = json.loads(download(alice_client).read(f"{FOLDER}/address_book.json"))

    assert book == {"country_for_phone_numbers": {"code": "FR", "country": "France"}}


def test_an_i_dont_know_answer_reads_as_ignored_to_the_sender_only(
    alice, bob, carol, alice_client
):
    answered = timezone.now()
    ConnectionRequestFactory(
        sender=alice, recipient=bob, status="declined_unknown", responded=answered
    )
    ConnectionRequestFactory(
        sender=carol, recipient=alice, status="declined_unknown", responded=answered
    )

    invitations = rows(download(alice_client), "invitations.csv")

    assert [
        (row["Direction"], row["Handle"], row["Status"]) for row in invitations
    ] == [
        ("sent", "bob", "Ignored"),
        ("received", "carol", "Declined: doesn't know the sender"),
    ]


def test_messages_come_from_the_conversations_the_member_can_read(
    alice, bob, carol, dave, alice_client, moderator
):
    connect(alice, bob)
    connect(alice, carol)
    connect(alice, dave)
    send_message(alice, bob, '=HYPERLINK("http://evil.example")')
    send_message(bob, alice, "Lunch?")
    send_message(carol, alice, "I'll block you now")
    send_message(dave, alice, "Soon suspended")
    block_create(blocker=carol, blocked=alice)
    member_suspend(member=dave, staff_member=moderator, reason="Spam")

    messages = rows(download(alice_client), "messages.csv")

    assert [(row["Handle"], row["From"]) for row in messages] == [
        ("bob", "Alice Martin"),
        ("bob", "Bob Okafor"),
        ("dave", "Suspended member"),
    ]
    # A cell that a spreadsheet would run as a formula starts with a quote.
    assert messages[0]["Message"] == '\'=HYPERLINK("http://evil.example")'
    assert messages[2]["Conversation with"] == "Suspended member"


def test_updates_comments_and_blocks_are_listed(alice, bob, alice_client):
    connect(alice, bob)
    UpdateFactory(author=alice, text="New portfolio is up.")
    bobs = UpdateFactory(author=bob, text="Hiring")
    CommentFactory(update=bobs, author=alice, text="Sent you a name.")
    BlockFactory(blocker=alice, blocked=UserFactory(display_name="Mallory Spam"))

    archive = download(alice_client)

    assert [row["Text"] for row in rows(archive, "updates.csv")] == [
        "New portfolio is up."
    ]
    (comment,) = rows(archive, "comments.csv")
    assert comment["Text"] == "Sent you a name."
    assert comment["On the update"].endswith(
        reverse("connections:update", args=[bobs.pk])
    )
    assert [row["Name"] for row in rows(archive, "blocked.csv")] == ["Mallory Spam"]


def test_likes_email_invitations_and_keep_in_touch_are_listed(alice, bob, alice_client):
    connect(alice, bob)
    connection_keep_in_touch_set(member=alice, other=bob, weeks=4)
    bobs = UpdateFactory(author=bob, text="Hiring")
    like_toggle(update=bobs, member=alice, like=True)
    email_invitation_send(
        inviter=alice, email="erin@example.org", name="Erin", note="Join us"
    )

    archive = download(alice_client)

    (connection,) = rows(archive, "connections.csv")
    assert connection["Keep in touch every (weeks)"] == "4"
    (like,) = rows(archive, "likes.csv")
    assert like["The update"] == "http://testserver" + reverse(
        "connections:update", args=[bobs.pk]
    )
    (invitation,) = rows(archive, "email_invitations.csv")
    assert (invitation["Email"], invitation["Name"], invitation["Note"]) == (
        "erin@example.org",
        "Erin",
        "Join us",
    )
    assert invitation["Status"] == "Sent"


def test_reports_made_and_warnings_given_are_listed(
    alice, bob, carol, alice_client, moderator
):
    report_create(reporter=alice, member=bob, reason="spam", details="Ads in DMs")
    report_create(reporter=carol, member=alice, reason="spam", details="Not mine")
    member_warn(member=alice, staff_member=moderator, reason="Keep it civil")
    warnings_mark_seen(member=alice)

    archive = download(alice_client)

    (report,) = rows(archive, "reports.csv")
    assert (report["Handle"], report["Your details"]) == ("bob", "Ads in DMs")
    assert report["Status"] == "Open"
    assert "mona" not in archive.read(f"{FOLDER}/reports.csv").decode()
    (warning,) = rows(archive, "warnings.csv")
    assert warning["Reason"] == "Keep it civil"
    assert warning["Read on"]


def test_the_profile_photo_is_in_the_archive(alice, alice_client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    profile_photo_set(
        member=alice, upload=SimpleUploadedFile("me.jpg", picture(), "image/jpeg")
    )

    archive = download(alice_client)

    assert archive.read(f"{FOLDER}/photo.jpg")[:3] == b"\xff\xd8\xff"
    profile = json.loads(archive.read(f"{FOLDER}/profile.json"))
    assert profile["profile"]["photo"] == "photo.jpg"


def test_an_empty_account_still_gets_a_readable_archive(alice_client):
    archive = download(alice_client)

    assert rows(archive, "connections.csv") == []
    assert f"{FOLDER}/photo.jpg" not in archive.namelist()
    assert f"{FOLDER}/contacts.vcf" not in archive.namelist()
    assert f"{FOLDER}/contacts-trash.vcf" not in archive.namelist()
    assert rows(archive, "labels.csv") == []
    assert rows(archive, "imports.csv") == []
    assert rows(archive, "merges.csv") == []
    assert rows(archive, "not_duplicates.csv") == []
    assert rows(archive, "interactions.csv") == []
    security = json.loads(archive.read(f"{FOLDER}/security.json"))
    assert security["two_factor_authentication"] == {
        "on": False,
        "on_since": "",
        "recovery_codes_made": False,
    }
    assert security["signed_in_browsers"] == []
    profile = json.loads(archive.read(f"{FOLDER}/profile.json"))
    assert profile["account"]["former_handles"] == []


@pytest.mark.parametrize("size", [3, 30])
def test_the_archive_costs_the_same_queries_whatever_the_network(
    alice, moderator, django_assert_max_num_queries, size, settings
):
    settings.RAPPORT_REPORTS_PER_HOUR = size
    for n, other in enumerate(UserFactory.create_batch(size)):
        sign_in(alice, f"{FIREFOX} {n}", f"203.0.113.{n}")
        RetiredHandle.objects.create(
            handle=f"alice-{n}", member=alice, retired=timezone.now()
        )
        connect(alice, other)
        bulk_messages(alice, other, 3)
        ConnectionRequestFactory(
            sender=other, recipient=alice, status="ignored", responded=timezone.now()
        )
        like_toggle(update=UpdateFactory(author=other), member=alice, like=True)
        report_create(reporter=alice, member=other, reason="spam")
        email_invitation_send(inviter=alice, email=f"guest{n}@example.org")
        member_warn(member=alice, staff_member=moderator, reason=f"Warning {n}")
    for n in range(size):
        ContactFactory(owner=alice, given_name=f"Contact {n}")
        ContactFactory(owner=alice, given_name=f"Deleted {n}", trashed=True)
        label = LabelFactory(owner=alice, name=f"Group {n}")
        imported(alice, f"file-{n}.vcf", label=label)
        pair = ContactFactory.create_batch(2, owner=alice, given_name=f"Twin {n}")
        contacts_mark_not_duplicates(owner=alice, contact_ids=[c.pk for c in pair])
        pair = ContactFactory.create_batch(2, owner=alice, given_name=f"Dup {n}")
        contacts_merge(owner=alice, contact_ids=[c.pk for c in pair], choices={})

    with django_assert_max_num_queries(40):
        data = b"".join(archive_stream(alice, base_url="http://testserver"))

    archive = zipfile.ZipFile(io.BytesIO(data))
    assert len(rows(archive, "connections.csv")) == size
    assert len(rows(archive, "messages.csv")) == 3 * size
    security = json.loads(archive.read(f"{FOLDER}/security.json"))
    assert len(security["signed_in_browsers"]) == size
    profile = json.loads(archive.read(f"{FOLDER}/profile.json"))
    assert len(profile["account"]["former_handles"]) == size
    for name in (
        "likes.csv",
        "reports.csv",
        "email_invitations.csv",
        "warnings.csv",
        "imports.csv",
        "merges.csv",
        "not_duplicates.csv",
        "interactions.csv",
    ):
        assert len(rows(archive, name)) == size
    # Each size: a contact, a pair marked apart and a merge's kept contact;
    # in the Trash, a deleted contact and the one merged.
    for name, cards in (("contacts.vcf", 4 * size), ("contacts-trash.vcf", 2 * size)):
        assert archive.read(f"{FOLDER}/{name}").decode().count("BEGIN:VCARD") == cards


def test_the_page_lists_the_files_and_is_reached_from_settings(alice_client):
    settings_page = alice_client.get(reverse("connections:settings")).content.decode()
    page = alice_client.get(PAGE).content.decode()

    assert PAGE in settings_page
    assert DOWNLOAD in page
    assert "messages.csv" in page
    assert "contacts.vcf" in page
    assert "contacts-trash.vcf" in page


def test_the_file_is_named_after_the_member_and_the_day(alice_client):
    response = alice_client.post(DOWNLOAD)

    assert 'filename="rapport-alice-' in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.zip"')


@pytest.mark.parametrize(("method", "path"), [("get", PAGE), ("post", DOWNLOAD)])
def test_visitors_are_sent_to_sign_in(method, path):
    response = getattr(Client(), method)(path)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
