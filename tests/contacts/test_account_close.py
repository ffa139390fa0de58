"""A closed account keeps no address book; other people's stay as they were."""

import pytest
from django.core.exceptions import ValidationError

from connections.services.accounts import account_close
from contacts.models import (
    AddressBook,
    Contact,
    ContactEmail,
    ContactImport,
    ContactLabel,
    Label,
)
from contacts.services.address_books import address_book_delete
from contacts.services.contacts import contact_create_from_member
from tests.factories import DEFAULT_PASSWORD, ContactFactory, LabelFactory


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
