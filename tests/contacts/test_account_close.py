"""A closed account keeps no address book; other people's stay as they were."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import BinaryField, CharField, JSONField, TextField
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from connections.models import Comment, ConnectionRequest, EmailInvitation, SendingPause
from connections.services.accounts import account_close
from connections.services.depth import connection_keep_in_touch_set
from connections.services.moderation import member_warn, report_create
from connections.services.network import (
    email_invitation_send,
    notification_settings_update,
)
from connections.services.profiles import (
    handle_taken,
    member_handle_change,
    profile_photo_set,
)
from connections.services.updates import like_toggle
from contacts.models import (
    AddressBook,
    Contact,
    ContactEmail,
    ContactImport,
    ContactLabel,
    ImportFile,
    Label,
)
from contacts.services.address_books import address_book_delete
from contacts.services.contacts import contact_create_from_member
from contacts.services.duplicates import contacts_mark_not_duplicates, contacts_merge
from contacts.services.photos import contact_photo_set
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
    connect,
    send_message,
)


def test_closing_an_account_deletes_its_address_book(alice, bob, flow):
    friends = LabelFactory(owner=alice, name="Friends")
    ContactFactory(owner=alice, given_name="Zoe", emails=["zoe@example.org"])
    ContactFactory(owner=alice, given_name="Yann", labels=[friends])
    ContactFactory(owner=alice, given_name="Old", trashed=True)
    flow.confirm(flow.upload(alice, "apple_3.vcf"))
    ContactFactory(owner=bob, given_name="Zoe", emails=["zoe@example.org"])
    bobs_card_of_alice, _ = contact_create_from_member(owner=bob, member=alice)
    assert Contact.objects.filter(owner=alice).count() > 3

    account_close(member=alice, password=DEFAULT_PASSWORD)

    assert not Contact.objects.filter(owner=alice).exists()
    assert not Label.objects.filter(owner=alice).exists()
    assert not ContactImport.objects.filter(owner=alice).exists()
    assert not AddressBook.objects.filter(owner=alice).exists()
    assert not ContactLabel.objects.filter(label=friends.pk).exists()
    assert not ContactEmail.objects.filter(contact__owner=alice).exists()
    assert Contact.objects.filter(owner=bob).count() == 2
    bobs_card_of_alice.refresh_from_db()
    assert bobs_card_of_alice.member_id is None


def test_a_wrong_password_keeps_the_address_book(alice):
    ContactFactory(owner=alice, given_name="Zoe")

    with pytest.raises(ValidationError):
        account_close(member=alice, password="wrong")

    assert Contact.objects.filter(owner=alice).count() == 1


def test_deleting_an_address_book_says_how_many_contacts_went(alice, bob):
    ContactFactory(owner=alice, emails=["a@example.org"], phones=["+33 6 12 34 56 78"])
    ContactFactory(owner=alice, trashed=True)
    ContactFactory(owner=bob)

    assert address_book_delete(owner=alice) == 2
    assert address_book_delete(owner=alice) == 0
    assert Contact.objects.filter(owner=bob).count() == 1


def test_a_write_that_waited_for_the_closing_does_not_start_a_new_address_book(
    alice,
):
    ContactFactory(owner=alice, given_name="Zoe")
    account_close(member=alice, password=DEFAULT_PASSWORD)

    with pytest.raises(ValidationError) as refusal:
        ContactFactory(owner=alice, given_name="Late")

    assert refusal.value.code == "closed"
    assert not AddressBook.objects.filter(owner=alice).exists()
    assert not Contact.objects.filter(owner=alice).exists()


# ---------------------------------------------------------------------------
# A member with one of everything closes their account: nothing is left
# behind but what the README says is kept.


@pytest.fixture
def everything(alice, bob, carol, dave, moderator, flow, tmp_path, settings):
    """Alice with one of everything the app keeps about a member."""
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession

    settings.MEDIA_ROOT = tmp_path
    erin = UserFactory(email="erin@example.com", handle="erin", display_name="Erin")
    connect(alice, bob)
    connect(alice, carol)
    ProfileFactory(member=alice, location="Lyon", about="Designs things.")
    WorkEntryFactory(member=alice, organization="Atelier Nord")
    profile_photo_set(
        member=alice, upload=SimpleUploadedFile("me.jpg", picture(), "image/jpeg")
    )
    member_handle_change(member=alice, handle="alice-martin")
    EmailAddress.objects.create(user=alice, email="alice@work.example", verified=True)
    notification_settings_update(
        member=alice,
        invitation_received=True,
        invitation_accepted=False,
        message_unread=False,
    )
    Client().post(
        reverse("account_login"),
        {"login": "alice@example.com", "password": DEFAULT_PASSWORD},
    )
    assert UserSession.objects.filter(user=alice).exists()
    Authenticator.objects.create(
        user=alice, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    connection_keep_in_touch_set(member=alice, other=bob, weeks=4)
    ConnectionRequestFactory(sender=alice, recipient=dave, note="We met in Lyon")
    ConnectionRequestFactory(sender=erin, recipient=alice, note="Hello Alice")
    email_invitation_send(inviter=alice, email="fred@example.org", note="Join us")
    email_invitation_send(inviter=bob, email="alice@example.com")
    EmailInvitation.objects.filter(inviter=bob).update(claimed_by=alice)
    BlockFactory(blocker=alice, blocked=dave)
    report_create(reporter=alice, member=erin, reason="spam", details="Ads")
    BlockFactory(blocker=erin, blocked=alice)
    send_message(alice, bob, "Lunch on Friday?")
    send_message(bob, alice, "Yes, noon.")
    alices_update = UpdateFactory(author=alice, text="New portfolio is up.")
    CommentFactory(update=alices_update, author=bob, text="Looks great")
    like_toggle(update=alices_update, member=bob, like=True)
    bobs_update = UpdateFactory(author=bob, text="Hiring a designer.")
    reported = CommentFactory(update=bobs_update, author=alice, text="Spam link")
    like_toggle(update=bobs_update, member=alice, like=True)
    report_create(reporter=bob, member=alice, reason="spam", comment=reported)
    member_warn(member=alice, staff_member=moderator, reason="Be kind")
    SendingPause.objects.create(
        member=alice, until=timezone.now() + timedelta(days=1), reason="Refusals"
    )
    # The address book: every detail, a photo, labels, an import done and
    # one waiting with its file, a merge, a "not duplicates" mark, the Trash.
    family = LabelFactory(owner=alice, name="Family")
    zoe = ContactFactory(
        owner=alice,
        given_name="Zoe",
        family_name="Keller",
        emails=["zoe@example.org"],
        phones=["+33 6 12 34 56 78"],
        addresses=["Lyon"],
        websites=["https://zoe.example/"],
        labels=[family],
        notes="Met at the gym",
    )
    contact_photo_set(
        contact=zoe, upload=SimpleUploadedFile("z.jpg", picture(), "image/jpeg")
    )
    contact_create_from_member(owner=alice, member=bob)
    flow.imported(alice, "apple_3.vcf")
    waiting = flow.upload(alice, "google.csv")
    assert ImportFile.objects.filter(batch=waiting).exists()
    pair = [ContactFactory(owner=alice, given_name="Ann") for _ in range(2)]
    contacts_merge(owner=alice, contact_ids=[c.pk for c in pair], choices={})
    apart = [ContactFactory(owner=alice, given_name="Yann") for _ in range(2)]
    contacts_mark_not_duplicates(owner=alice, contact_ids=[c.pk for c in apart])
    ContactFactory(owner=alice, given_name="Old", trashed=True)
    bobs_card, _ = contact_create_from_member(owner=bob, member=alice)
    return {"reported": reported, "bobs_card": bobs_card, "erin": erin}


def rows_pointing_at(member) -> dict[str, int]:
    """Every row of every model with a link to `member`, by model and field."""
    found = {}
    User = get_user_model()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is User:
                count = model._default_manager.filter(**{field.name: member}).count()
                if count:
                    found[f"{model._meta.label}.{field.name}"] = count
        for field in model._meta.many_to_many:
            if field.related_model is User:
                count = model._default_manager.filter(**{field.name: member}).count()
                if count:
                    found[f"{model._meta.label}.{field.name}"] = count
    found.update(
        {
            f"connections.User.{field.name}": 1
            for field in User._meta.many_to_many
            if getattr(member, field.name).exists()
        }
    )
    return found


def rows_holding(words) -> set[str]:
    """Models with a text cell that holds one of `words`."""
    found = set()
    for model in apps.get_models():
        texts = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, (CharField, TextField, JSONField, BinaryField))
            and not isinstance(field, BinaryField)
        ]
        for field in texts:
            for word in words:
                lookup = {f"{field}__icontains": word}
                if model._default_manager.filter(**lookup).exists():
                    found.add(f"{model._meta.label}.{field}")
    return found


def test_closing_leaves_nothing_but_what_is_kept_for_moderation(
    everything, alice, bob, django_capture_on_commit_callbacks, tmp_path
):
    assert list(tmp_path.rglob("*.jpg"))

    with django_capture_on_commit_callbacks(execute=True):
        account_close(member=alice, password=DEFAULT_PASSWORD)

    alice.refresh_from_db()
    # Kept: reports, sanctions and audit records; the invitations the limits
    # count; the content a report points at; the handles that stay reserved.
    assert rows_pointing_at(alice) == {
        "connections.Report.member": 1,
        "connections.Report.reporter": 1,
        "connections.Sanction.member": 1,
        "connections.AuditRecord.member": 1,
        "connections.ConnectionRequest.sender": 1,
        "connections.ConnectionRequest.recipient": 1,
        "connections.Comment.author": 1,
        "connections.RetiredHandle.member": 1,
    }
    assert Comment.objects.get(author=alice) == everything["reported"]
    assert set(
        ConnectionRequest.objects.filter(sender=alice).values_list("status", "note")
    ) == {("withdrawn", "")}
    assert set(
        ConnectionRequest.objects.filter(recipient=alice).values_list(
            "status", flat=True
        )
    ) == {"ignored"}
    # Cards others saved of her stay theirs, no longer linked to an account.
    bobs_card = Contact.objects.get(pk=everything["bobs_card"].pk)
    assert bobs_card.member_id is None
    # The emptied row keeps nothing personal.
    assert (alice.signup_ip, alice.is_staff) == (None, False)
    # Her words, notes and address book are nowhere; her name and address
    # only in what is others' (Bob's card of her, Bob's email invitation)
    # and in the audit trail of the warning, as it was written then.
    assert rows_holding(["Lyon", "Atelier", "portfolio", "Lunch", "Zoe", "Ads"]) == {
        "connections.Report.details"
    }
    assert rows_holding(["Alice Martin", "alice@"]) == {
        "connections.AuditRecord.target",
        "connections.EmailInvitation.email",
        *(
            f"contacts.Contact.{name}"
            for name in ("display_name", "shown_name", "sort_name", "name_key")
        ),
        "contacts.Contact.search_text",
    }
    assert set(
        Contact.objects.filter(shown_name="Alice Martin").values_list(
            "owner", flat=True
        )
    ) == {bob.pk}
    assert rows_holding(["Spam link"]) == {
        "connections.Comment.text",
        "connections.Report.reported_text",
    }
    assert not Session.objects.exists()
    assert not list(tmp_path.rglob("*.jpg"))
    # Her handle and her former one stay reserved, and lead nowhere.
    for handle in ("alice", "alice-martin"):
        assert handle_taken(handle)
        assert Client().get(f"/in/{handle}/").status_code == 404
