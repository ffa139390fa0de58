"""Undoing a merge: the kept contact as it was, the merged ones back."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, ContactLabel, ContactMerge, ContactPhoto
from contacts.services.contacts import (
    ContactData,
    contact_set_favorite,
    contact_update,
)
from contacts.services.duplicates import (
    contact_merges_undo,
    contacts_merge,
    contacts_merge_groups,
    recent_merges,
)
from contacts.services.photos import contact_photo_set
from contacts.services.trash import (
    contact_purge,
    contact_restore,
    contact_trash,
    trash_empty,
    trash_purge_expired,
)
from tests.conftest import HTMX
from tests.contacts.test_photos import picture
from tests.factories import ContactFactory, LabelFactory

pytestmark = pytest.mark.django_db


def card(contact: Contact) -> dict:
    """Everything a merge may change on a contact, read from the database."""
    contact = Contact.objects.get(pk=contact.pk)
    return {
        "fields": [
            contact.shown_name,
            contact.organization,
            contact.notes,
            contact.is_favorite,
            contact.birthday_day,
            contact.member_id,
            contact.deleted_at,
        ],
        "emails": list(
            contact.emails.order_by("id").values_list("value", "label", "custom_label")
        ),
        "phones": list(contact.phones.order_by("id").values_list("value", "e164")),
        "addresses": list(contact.addresses.order_by("id").values_list("city")),
        "websites": list(contact.websites.order_by("id").values_list("url")),
        "labels": sorted(contact.labels.values_list("name", flat=True)),
    }


def merge(alice, ann, annie, **choices):
    return contacts_merge(
        owner=alice,
        contact_ids=[ann.pk, annie.pk],
        choices={"name": annie.pk, "organization": ann.pk, **choices},
    )


def test_undo_gives_back_both_contacts_exactly_as_they_were(alice, ann_and_annie):
    ann, annie = ann_and_annie
    before = card(ann), card(annie)
    kept = merge(alice, ann, annie)
    assert card(annie) != before[1]
    outcome = contact_merges_undo(owner=alice, merge_ids=[kept.merge.pk])
    assert outcome.undone == ["Annie Lee"]
    assert outcome.refused == []
    assert (card(ann), card(annie)) == before
    assert not ContactMerge.objects.exists()


def test_undo_gives_back_the_kept_contacts_own_photo(alice, ann_and_annie):
    ann, annie = ann_and_annie
    contact_photo_set(
        contact=ann, upload=SimpleUploadedFile("a.png", picture(colour=(200, 0, 0)))
    )
    contact_photo_set(
        contact=annie, upload=SimpleUploadedFile("b.png", picture(colour=(0, 0, 200)))
    )
    own = bytes(ContactPhoto.objects.get(contact=annie).large)
    kept = merge(alice, ann, annie, photo=ann.pk)
    assert bytes(ContactPhoto.objects.get(contact=annie).large) != own
    contact_merges_undo(owner=alice, merge_ids=[kept.merge.pk])
    assert bytes(ContactPhoto.objects.get(contact=annie).large) == own
    assert Contact.objects.get(pk=annie.pk).photo_key
    assert ContactPhoto.objects.filter(contact=ann).exists()


def test_undo_takes_off_a_photo_the_kept_contact_did_not_have(alice, ann_and_annie):
    ann, annie = ann_and_annie
    contact_photo_set(contact=ann, upload=SimpleUploadedFile("a.png", picture()))
    kept = merge(alice, ann, annie)
    assert Contact.objects.get(pk=annie.pk).photo_key
    contact_merges_undo(owner=alice, merge_ids=[kept.merge.pk])
    assert Contact.objects.get(pk=annie.pk).photo_key == ""
    assert not ContactPhoto.objects.filter(contact=annie).exists()


def test_undo_moves_the_member_link_back(alice, bob, ann_and_annie):
    ann, annie = ann_and_annie
    Contact.objects.filter(pk=ann.pk).update(member=bob)
    kept = merge(alice, ann, annie)
    assert Contact.objects.get(pk=annie.pk).member == bob
    contact_merges_undo(owner=alice, merge_ids=[kept.merge.pk])
    assert Contact.objects.get(pk=ann.pk).member == bob
    assert Contact.objects.get(pk=annie.pk).member is None


def test_undo_links_no_card_to_a_member_who_left(alice, bob, carol, ann_and_annie):
    ann, annie = ann_and_annie
    Contact.objects.filter(pk=ann.pk).update(member=bob)
    Contact.objects.filter(pk=annie.pk).update(member=carol)
    kept = merge(alice, ann, annie)
    bob.delete()
    carol.delete()
    assert contact_merges_undo(owner=alice, merge_ids=[kept.merge.pk]).undone
    connection.check_constraints()
    assert Contact.objects.get(pk=ann.pk).member is None
    assert Contact.objects.get(pk=annie.pk).member is None


@pytest.mark.parametrize("together", [False, True])
def test_merges_into_one_contact_are_undone_latest_first(
    alice, ann_and_annie, together
):
    ann, annie = ann_and_annie
    anna = ContactFactory(owner=alice, given_name="Anna", family_name="Lee")
    before = card(ann), card(annie), card(anna)
    first = merge(alice, ann, annie).merge
    second = contacts_merge(
        owner=alice, contact_ids=[annie.pk, anna.pk], choices={"name": annie.pk}
    ).merge
    if together:
        outcome = contact_merges_undo(owner=alice, merge_ids=[first.pk, second.pk])
        assert outcome.undone == ["Annie Lee", "Annie Lee"]
    else:
        assert "changed after the merge" in _refused(alice, first.pk)
        assert contact_merges_undo(owner=alice, merge_ids=[second.pk]).undone
        assert contact_merges_undo(owner=alice, merge_ids=[first.pk]).undone
    assert (card(ann), card(annie), card(anna)) == before


def test_labels_given_after_the_merge_stay(alice, ann_and_annie):
    ann, annie = ann_and_annie
    kept = merge(alice, ann, annie)
    friends = LabelFactory(owner=alice, name="Friends")
    ContactLabel.objects.create(contact_id=annie.pk, label=friends)
    contact_merges_undo(owner=alice, merge_ids=[kept.merge.pk])
    assert card(annie)["labels"] == ["Friends", "Work"]
    assert card(ann)["labels"] == ["Family"]


def test_labels_taken_off_after_the_merge_stay_off(alice, ann_and_annie):
    ann, annie = ann_and_annie
    kept = merge(alice, ann, annie)
    assert card(annie)["labels"] == ["Family", "Work"]
    ContactLabel.objects.filter(contact_id=annie.pk, label__name="Work").delete()
    contact_merges_undo(owner=alice, merge_ids=[kept.merge.pk])
    assert card(annie)["labels"] == []
    assert card(ann)["labels"] == ["Family"]


@pytest.mark.parametrize("starred", [False, True])
def test_a_star_given_or_taken_after_the_merge_stays(alice, ann_and_annie, starred):
    ann, annie = ann_and_annie
    Contact.objects.filter(pk=annie.pk).update(is_favorite=starred)
    kept = merge(alice, ann, annie)
    assert Contact.objects.get(pk=annie.pk).is_favorite == starred
    contact_set_favorite(contact=kept, is_favorite=not starred)
    contact_merges_undo(owner=alice, merge_ids=[kept.merge.pk])
    assert Contact.objects.get(pk=annie.pk).is_favorite == (not starred)


def test_a_contact_merged_out_and_restored_by_hand_stays_restored(alice, ann_and_annie):
    ann, annie = ann_and_annie
    kept = merge(alice, ann, annie)
    Contact.objects.filter(pk=ann.pk).update(deleted_at=None)
    contact_merges_undo(owner=alice, merge_ids=[kept.merge.pk])
    assert Contact.objects.owned_by(alice).count() == 2


def _refused(alice, merge_id) -> str:
    outcome = contact_merges_undo(owner=alice, merge_ids=[merge_id])
    assert outcome.undone == []
    [(name, reason)] = outcome.refused
    assert ContactMerge.objects.filter(pk=merge_id).exists()
    return reason


def test_no_undo_once_the_kept_contact_was_edited(alice, ann_and_annie):
    ann, annie = ann_and_annie
    kept = merge(alice, ann, annie)
    contact_update(contact=kept, data=ContactData(given_name="Annabel"))
    reason = _refused(alice, kept.merge.pk)
    assert "changed after the merge" in reason
    assert Contact.objects.get(pk=annie.pk).given_name == "Annabel"
    assert Contact.objects.get(pk=ann.pk).deleted_at is not None


def test_no_undo_while_the_kept_contact_is_in_the_trash(alice, ann_and_annie):
    ann, annie = ann_and_annie
    kept = merge(alice, ann, annie)
    Contact.objects.filter(pk=annie.pk).update(deleted_at=timezone.now())
    assert "in the Trash" in _refused(alice, kept.merge.pk)


def test_no_undo_once_a_merged_contact_was_deleted_for_good(alice, ann_and_annie):
    ann, annie = ann_and_annie
    kept = merge(alice, ann, annie)
    contact_purge(contact=Contact.objects.get(pk=ann.pk))
    assert "deleted for good" in _refused(alice, kept.merge.pk)
    assert len(card(annie)["emails"]) == 2


def test_no_undo_after_the_trash_period(alice, ann_and_annie, settings):
    ann, annie = ann_and_annie
    kept = merge(alice, ann, annie)
    ContactMerge.objects.filter(pk=kept.merge.pk).update(
        created=timezone.now() - datetime.timedelta(days=31)
    )
    settings.RAPPORT_CONTACTS_TRASH_DAYS = 30
    assert "older than the Trash" in _refused(alice, kept.merge.pk)
    assert recent_merges(owner=alice) == []


def test_emptying_or_expiring_the_trash_forgets_its_merges(alice, bob, ann_and_annie):
    ann, annie = ann_and_annie
    merge(alice, ann, annie)
    theirs = [ContactFactory(owner=bob, given_name="Bo") for _ in range(2)]
    bob_merge = contacts_merge(
        owner=bob, contact_ids=[c.pk for c in theirs], choices={}
    ).merge
    trash_empty(owner=alice)
    assert list(ContactMerge.objects.all()) == [bob_merge]
    ContactMerge.objects.update(created=timezone.now() - datetime.timedelta(days=31))
    trash_purge_expired()
    assert not ContactMerge.objects.exists()


def test_emptying_the_trash_keeps_a_merge_whose_contacts_were_restored_by_hand(
    alice, ann_and_annie
):
    ann, annie = ann_and_annie
    kept = merge(alice, ann, annie)
    other = ContactFactory(owner=alice, given_name="Old")
    contact_trash(contact=other)
    contact_restore(contact=Contact.objects.get(pk=ann.pk))
    assert trash_empty(owner=alice) == 1
    assert recent_merges(owner=alice) == [kept.merge]
    outcome = contact_merges_undo(owner=alice, merge_ids=[kept.merge.pk])
    assert outcome.undone == ["Annie Lee"]
    assert Contact.objects.owned_by(alice).count() == 2


def test_undoing_twice_or_another_members_merge_does_nothing(alice, bob, ann_and_annie):
    ann, annie = ann_and_annie
    kept = merge(alice, ann, annie)
    outcome = contact_merges_undo(owner=bob, merge_ids=[kept.merge.pk])
    assert outcome.undone == []
    assert outcome.refused == []
    assert ContactMerge.objects.filter(pk=kept.merge.pk).exists()
    contact_merges_undo(owner=alice, merge_ids=[kept.merge.pk])
    again = contact_merges_undo(owner=alice, merge_ids=[kept.merge.pk])
    assert again.undone == []
    assert again.refused == []
    assert Contact.objects.owned_by(alice).count() == 2


def test_merge_all_can_be_undone_at_once(alice):
    groups = [
        [ContactFactory(owner=alice, given_name=name, family_name="Lee")]
        for name in ("Ann", "Ben")
    ]
    for group in groups:
        name = group[0].given_name
        group.append(ContactFactory(owner=alice, given_name=name, family_name="Lee"))
    outcome = contacts_merge_groups(
        owner=alice, groups=[[c.pk for c in group] for group in groups]
    )
    assert len(outcome.merges) == 2
    assert Contact.objects.owned_by(alice).count() == 2
    undone = contact_merges_undo(
        owner=alice, merge_ids=[merge.pk for merge in outcome.merges]
    )
    assert sorted(undone.undone) == ["Ann Lee", "Ben Lee"]
    assert Contact.objects.owned_by(alice).count() == 4


# ---------- Pages ----------


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_merge_message_has_an_undo_button_that_works(
    alice, alice_client, ann_and_annie
):
    ann, annie = ann_and_annie
    response = alice_client.post(
        reverse("contacts:duplicates_merge"),
        {"contact": [ann.pk, annie.pk], "name": annie.pk},
        follow=True,
    )
    page = response.content.decode()
    merge_id = ContactMerge.objects.get().pk
    assert "2 contacts merged into Annie Lee; the other is in the Trash." in page
    assert 'action="/contacts/duplicates/undo/"' in page
    assert f'name="merge" value="{merge_id}"' in page
    assert "Undo" in page
    response = alice_client.post(
        reverse("contacts:duplicates_undo"), {"merge": [merge_id]}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:duplicates")
    assert _messages(response) == [
        "Merge undone: Annie Lee and the contacts merged into it are apart again."
    ]
    assert Contact.objects.owned_by(alice).count() == 2


def _page_after_merging(client, owner, given_name: str, count: int) -> str:
    """The page a merge of `count` namesakes leads to, with its message."""
    ids = [
        ContactFactory(owner=owner, given_name=given_name, family_name="Lee").pk
        for _ in range(count)
    ]
    response = client.post(
        reverse("contacts:duplicates_merge"), {"contact": ids}, follow=True
    )
    return response.content.decode()


def test_the_merge_message_counts_the_contacts_in_the_trash(alice, alice_client):
    page = _page_after_merging(alice_client, alice, "Ann", 3)
    assert "3 contacts merged into Ann Lee; the others are in the Trash." in page


def test_the_duplicates_page_lists_recent_merges_to_undo(
    alice, alice_client, ann_and_annie
):
    ann, annie = ann_and_annie
    kept = merge(alice, ann, annie)
    page = alice_client.get(reverse("contacts:duplicates")).content.decode()
    assert "Recent merges" in page
    assert "merged with Ann Lee" in page
    assert f'name="merge" value="{kept.merge.pk}"' in page
    assert "the merge into Annie Lee" in page
    # From htmx the whole page is sent there.
    response = alice_client.post(
        reverse("contacts:duplicates_undo"), {"merge": [kept.merge.pk]}, **HTMX
    )
    assert response["HX-Redirect"] == reverse("contacts:duplicates")
    page = alice_client.get(reverse("contacts:duplicates")).content.decode()
    assert "Recent merges" not in page


def test_a_merge_whose_contact_is_in_the_trash_does_not_link_to_it(
    alice, alice_client, ann_and_annie
):
    ann, annie = ann_and_annie
    merge(alice, ann, annie)
    Contact.objects.filter(pk=annie.pk).update(deleted_at=timezone.now())
    page = alice_client.get(reverse("contacts:duplicates")).content.decode()
    assert "(in the Trash)" in page
    assert annie.get_absolute_url() not in page


def test_a_refused_undo_says_why(alice, alice_client, ann_and_annie):
    ann, annie = ann_and_annie
    kept = merge(alice, ann, annie)
    contact_update(contact=kept, data=ContactData(given_name="Annabel"))
    response = alice_client.post(
        reverse("contacts:duplicates_undo"), {"merge": [kept.merge.pk]}
    )
    [message] = _messages(response)
    assert message.startswith("The merge into Annabel cannot be undone: Annabel was")


def test_another_member_cannot_undo_or_see_a_merge(alice, bob_client, ann_and_annie):
    ann, annie = ann_and_annie
    kept = merge(alice, ann, annie)
    page = bob_client.get(reverse("contacts:duplicates")).content.decode()
    assert "Annie" not in page
    response = bob_client.post(
        reverse("contacts:duplicates_undo"), {"merge": [kept.merge.pk]}
    )
    assert _messages(response) == ["Nothing to undo: these merges were undone already."]
    assert Contact.objects.owned_by(alice).count() == 1
    assert bob_client.get(reverse("contacts:duplicates_undo")).status_code == 405


def test_a_name_in_the_merge_message_is_escaped(alice, alice_client):
    page = _page_after_merging(alice_client, alice, "<b>Ann</b>", 2)
    assert "merged into &lt;b&gt;Ann&lt;/b&gt; Lee" in page
    assert "<b>Ann</b>" not in page


def test_the_kept_contacts_page_offers_the_undo_and_comes_back_to_it(
    alice, alice_client, ann_and_annie
):
    ann, annie = ann_and_annie
    kept = merge(alice, ann, annie)
    page = alice_client.get(annie.get_absolute_url()).content.decode()
    assert "These details were merged with Ann Lee" in page
    assert f'name="merge" value="{kept.merge.pk}"' in page
    assert f'name="next" value="{annie.get_absolute_url()}"' in page
    response = alice_client.post(
        reverse("contacts:duplicates_undo"),
        {"merge": [kept.merge.pk], "next": annie.get_absolute_url()},
        follow=True,
    )
    assert response.redirect_chain == [(annie.get_absolute_url(), 302)]
    page = response.content.decode()
    assert "Merge undone: Annie Lee" in page
    assert "These details were merged" not in page
    assert "Initech" in page
    assert "Acme" not in page


def test_the_undo_goes_nowhere_but_the_site(alice, alice_client, ann_and_annie):
    ann, annie = ann_and_annie
    kept = merge(alice, ann, annie)
    response = alice_client.post(
        reverse("contacts:duplicates_undo"),
        {"merge": [kept.merge.pk], "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("contacts:duplicates")


def test_the_contacts_page_offers_no_undo_that_would_lose_a_change(
    alice, alice_client, ann_and_annie
):
    ann, annie = ann_and_annie
    kept = merge(alice, ann, annie)
    contact_update(contact=kept, data=ContactData(given_name="Annabel"))
    page = alice_client.get(annie.get_absolute_url()).content.decode()
    assert "These details were merged" not in page
    # Nor on a contact merged into another, back from the Trash by hand.
    Contact.objects.filter(pk=ann.pk).update(deleted_at=None)
    page = alice_client.get(ann.get_absolute_url()).content.decode()
    assert "These details were merged" not in page


def test_the_contacts_page_offers_the_undo_of_the_latest_merge_only(
    alice, alice_client, ann_and_annie
):
    ann, annie = ann_and_annie
    merge(alice, ann, annie)
    anna = ContactFactory(owner=alice, given_name="Anna", family_name="Lee")
    second = contacts_merge(
        owner=alice, contact_ids=[annie.pk, anna.pk], choices={"name": annie.pk}
    ).merge
    page = alice_client.get(annie.get_absolute_url()).content.decode()
    assert page.count('name="merge"') == 1
    assert f'name="merge" value="{second.pk}"' in page
    assert "merged with Anna Lee" in page


def _trash(client) -> str:
    return client.get(reverse("contacts:trash")).content.decode()


def test_the_trash_says_which_contact_a_merged_one_went_into_and_undoes_it(
    alice, alice_client, ann_and_annie
):
    ann, annie = ann_and_annie
    kept = merge(alice, ann, annie)
    page = _trash(alice_client)
    assert f'Merged into <a href="{annie.get_absolute_url()}">Annie Lee</a>' in page
    assert "Undo merge" in page
    assert f'name="merge" value="{kept.merge.pk}"' in page
    trash = reverse("contacts:trash")
    response = alice_client.post(
        reverse("contacts:duplicates_undo"),
        {"merge": [kept.merge.pk], "next": trash},
        follow=True,
    )
    assert response.redirect_chain == [(trash, 302)]
    assert "Merge undone: Annie Lee" in response.content.decode()
    assert "The Trash is empty" in response.content.decode()


def test_the_trash_offers_no_undo_that_cannot_be_done(
    alice, alice_client, ann_and_annie
):
    ann, annie = ann_and_annie
    kept = merge(alice, ann, annie)
    contact_update(contact=kept, data=ContactData(given_name="Annabel"))
    page = _trash(alice_client)
    assert "Merged into" in page
    assert "Annabel" in page
    assert 'name="merge"' not in page
    # The contact it went into is in the Trash too: named, not linked.
    Contact.objects.filter(pk=annie.pk).update(deleted_at=timezone.now())
    page = _trash(alice_client)
    assert "Merged into Annabel</span>" in page
    assert annie.get_absolute_url() not in page


def test_a_merged_contact_restored_then_deleted_again_is_only_deleted(
    alice, alice_client, ann_and_annie
):
    ann, annie = ann_and_annie
    merge(alice, ann, annie)
    Contact.objects.filter(pk=ann.pk).update(
        deleted_at=timezone.now() + datetime.timedelta(seconds=1)
    )
    page = _trash(alice_client)
    assert "Ann Lee" in page
    assert "Merged into" not in page


def test_a_second_click_on_merge_shows_what_the_first_did(
    alice, alice_client, ann_and_annie
):
    ann, annie = ann_and_annie
    form = {"contact": [ann.pk, annie.pk], "name": annie.pk}
    first = alice_client.post(reverse("contacts:duplicates_merge"), form)
    assert first["Location"] == annie.get_absolute_url()
    second = alice_client.post(reverse("contacts:duplicates_merge"), form)
    assert second["Location"] == annie.get_absolute_url()
    assert _messages(second)[-1] == "These contacts were merged into Annie Lee already."
    assert ContactMerge.objects.count() == 1
    # Other contacts than the merge's, or its contact in the Trash: not merged.
    other = ContactFactory(owner=alice, given_name="Annie", family_name="Lee")
    response = alice_client.post(
        reverse("contacts:duplicates_merge"), {"contact": [ann.pk, other.pk]}
    )
    assert _messages(response)[-1] == "Choose at least two contacts to merge."
    Contact.objects.filter(pk=annie.pk).update(deleted_at=timezone.now())
    response = alice_client.post(reverse("contacts:duplicates_merge"), form)
    assert response["Location"] == reverse("contacts:duplicates")
    assert _messages(response)[-1] == "Choose at least two contacts to merge."


def test_an_imported_contact_merged_away_survives_undoing_the_import(alice, flow):
    # Zoe is imported, then merged into the Zoe already in the book; undoing
    # the import keeps the merged card (merged is edited), so the merge can
    # still be undone and both come back.
    own = ContactFactory(owner=alice, given_name="Zoe", emails=["zoe@home.example"])
    data = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoe Quinn\r\nN:Quinn;Zoe;;;\r\n"
        b"EMAIL:zoe@work.example\r\nEND:VCARD\r\n"
    )
    batch = flow.upload(alice, "zoe.vcf", data)
    batch = flow.confirm(batch, "add")
    imported = Contact.objects.get(owner=alice, emails__value="zoe@work.example")
    kept = contacts_merge(
        owner=alice, contact_ids=[own.pk, imported.pk], choices={"name": own.pk}
    )
    batch = flow.undo(batch)
    assert [item["name"] for item in batch.kept] == ["Zoe Quinn"]
    assert Contact.objects.filter(pk=imported.pk).exists()
    outcome = contact_merges_undo(owner=alice, merge_ids=[kept.merge.pk])
    assert outcome.refused == []
    assert Contact.objects.get(pk=imported.pk).deleted_at is None
