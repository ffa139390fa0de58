"""What a vCard holds that a contact card has no field for: dates, related
people, messaging addresses, social profiles, kept in the notes."""

from pathlib import Path

import pytest

from contacts.models import Contact
from contacts.models import ContactImport as Batch
from contacts.models.contacts import NOTES_MAX
from contacts.services.imports import _group_note, extra_lines
from contacts.vcard import GroupRead, read_vcards
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


def read(name="extras.vcf"):
    result = read_vcards((DATA / name).read_text(), file_encoding="utf-8")
    return {card.formatted_name: card for card in result.cards}, result


def test_apples_labelled_dates_and_related_names_take_their_labels():
    cards, _result = read()
    chidi = cards["Chidi Okafor"]
    assert chidi.note == "Philosophy professor."
    assert extra_lines(chidi.extras) == [
        "Anniversary: 6 June 2015",  # Apple's token, the date in words
        "First met: 12 March",  # a label of the member's own, no year
        "Friend: Eleanor Shellstrop",
        "Colleague at St. John, Sydney: Simone Garnett",
        "Jabber: chidi@jabber.example",  # the service, without "xmpp:"
        "LinkedIn: https://www.linkedin.com/in/chidi",
    ]


def test_vcard_4_relations_and_messaging_addresses_take_their_type_or_scheme():
    cards, result = read()
    assert extra_lines(cards["Tahani Al-Jamil"].extras) == [
        "Anniversary: 6 June 2015",
        "Spouse: Jason Mendoza",
        "Skype: tahani.aj",
        "XMPP: tahani@jabber.example",
    ]
    # A relation to another card by its UID means nothing here: counted,
    # not kept; a gender has no place either.
    assert result.not_kept == {
        "links to other cards": 1,
        "genders": 1,
        "other Android fields": 1,  # WhatsApp's, on Eleanor's card
    }


def test_vcard_2_1_extensions_name_what_they_hold():
    cards, _result = read()
    assert extra_lines(cards["Jason Mendoza"].extras) == [
        "Spouse: Tahani Al-Jamil",
        "Manager: Donkey Doug",
        "Anniversary: 6 June 2015",
        "Skype: jason.m",
        "Date of death: 1 March 2019",
    ]


def test_androids_own_fields_give_a_nickname_a_birthday_and_lines_of_notes():
    cards, _result = read()
    eleanor = cards["Eleanor Shellstrop"]
    assert eleanor.nickname == "Ellie"
    assert (eleanor.birthday.day, eleanor.birthday.month) == (8, 5)  # type 3
    assert extra_lines(eleanor.extras) == [
        "Anniversary: 19 September 2019",  # type 1
        "Arrived: 3 February",  # type 0: the member's own label
        "Spouse: Chidi Anagonye",  # type 14
        "Architect: Michael",
        "Mother: Donna",  # type 8
        "SIP: eleanor@voip.example",
    ]


def test_phonetic_names_are_kept_in_the_notes():
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nN:山田;太郎;;;\nFN:山田 太郎\n"
        "X-PHONETIC-FIRST-NAME:たろう\nX-PHONETIC-LAST-NAME:やまだ\n"
        "ORG:任天堂\nX-PHONETIC-ORG:にんてんどう\nEND:VCARD\n"
    )
    [card] = read_vcards(text, file_encoding="utf-8").cards
    assert extra_lines(card.extras) == [
        "Phonetic first name: たろう",
        "Phonetic last name: やまだ",
        "Phonetic organization: にんてんどう",
    ]


def test_a_date_that_is_not_one_is_kept_as_written():
    text = "BEGIN:VCARD\nVERSION:3.0\nFN:Ann\nX-ANNIVERSARY:summer 2001\nEND:VCARD\n"
    [card] = read_vcards(text, file_encoding="utf-8").cards
    assert extra_lines(card.extras) == ["Anniversary: summer 2001"]


def test_the_import_keeps_them_in_the_notes_and_says_so(alice, flow):
    batch = flow.upload(alice, "extras.vcf")
    assert batch.status == Batch.Status.READY, batch.error
    assert (
        "4 cards have anniversaries and other dates, which contact cards have no "
        "field for; they are kept in their notes." in batch.notices
    )
    assert (
        "1 card has social profiles, which contact cards have no field for; they "
        "are kept in its notes." in batch.notices
    )
    assert (
        "1 card has links to other cards, which contact cards do not hold; they "
        "are not imported." in batch.notices
    )
    flow.confirm(batch, "add")
    chidi = Contact.objects.get(owner=alice, given_name="Chidi")
    assert chidi.notes.startswith("Philosophy professor.\n\nAnniversary: 6 June 2015\n")
    jason = Contact.objects.get(owner=alice, given_name="Jason")
    assert jason.notes.startswith("Spouse: Tahani Al-Jamil\nManager: Donkey Doug")


def test_notes_grown_past_the_limit_are_shortened_with_a_notice(alice, flow):
    long_note = "x" * (NOTES_MAX - 5)
    text = (
        f"BEGIN:VCARD\nVERSION:3.0\nFN:Ann Lee\nNOTE:{long_note}\n"
        "X-SPOUSE:Bob\nEND:VCARD\n"
    )
    batch = flow.upload(alice, "ann.vcf", text.encode())
    assert any("notes shortened" in notice for notice in batch.notices)


def test_a_card_read_again_adds_only_the_new_paragraphs_of_its_notes(alice, flow):
    # Imported once before its relations were kept: the notes had one paragraph.
    chidi = ContactFactory(
        owner=alice,
        given_name="Chidi",
        family_name="Okafor",
        emails=["chidi@example.org"],
        notes="Philosophy professor.",
    )
    batch = flow.upload(alice, "extras.vcf")
    assert batch.duplicate_count == 1
    flow.confirm(batch, "merge")
    chidi.refresh_from_db()
    assert chidi.notes.startswith(
        "Philosophy professor.\n\nAnniversary: 6 June 2015\nFirst met: 12 March\n"
    )
    assert chidi.notes.count("Philosophy professor.") == 1
    # Undo gives the notes back as they were.
    flow.undo(batch)
    chidi.refresh_from_db()
    assert chidi.notes == "Philosophy professor."


# ---------- Group cards ----------


def test_group_cards_are_labels_on_the_cards_they_name_not_contacts():
    cards, result = read("groups.vcf")
    assert sorted(cards) == ["Ana Lima", "Bea Costa", "Caio Reis", "Padaria Central"]
    # By UID, whatever its case and "urn:uuid:", and by email ("mailto:").
    assert cards["Ana Lima"].categories == ["Friends", "Book club", "Running club"]
    assert cards["Bea Costa"].categories == ["Book club"]
    assert cards["Caio Reis"].categories == ["Running club"]
    # KIND:org is a contact card like any other.
    assert cards["Padaria Central"].categories == []
    assert [(g.name, g.members, g.found) for g in result.groups] == [
        ("Book club", 3, 2),
        ("Running club", 2, 2),
    ]


@pytest.mark.parametrize(
    ("members", "found", "note"),
    [
        (
            3,
            1,
            "the group “Book club” is not a contact: 1 of its 3 cards gets the "
            "label “Book club”; the other 2 are not in the file",
        ),
        (
            4,
            3,
            "the group “Book club” is not a contact: 3 of its 4 cards get the "
            "label “Book club”; the other is not in the file",
        ),
        (
            1,
            0,
            "the group “Book club” is not a contact, and the card it names is not "
            "in the file; it is left out",
        ),
        (
            2,
            0,
            "the group “Book club” is not a contact, and none of the 2 cards it "
            "names is in the file; it is left out",
        ),
    ],
)
def test_a_group_whose_cards_are_missing_says_how_many_in_words_that_agree(
    members, found, note
):
    group = GroupRead(line=1, name="Book club", members=members, found=found)
    assert _group_note(group) == note


def test_the_import_labels_a_groups_members_and_says_so(alice, flow):
    batch = flow.upload(alice, "groups.vcf")
    assert batch.new_count == 4
    assert batch.notices == [
        "line 1: the group “Book club” is not a contact: 2 of its 3 cards get the "
        "label “Book club”; the other is not in the file",
        "line 28: the group “Running club” is not a contact: its 2 cards get the "
        "label “Running club”",
    ]
    flow.confirm(batch, "add")
    assert not Contact.objects.filter(owner=alice, display_name="Book club").exists()
    ana = Contact.objects.get(owner=alice, display_name="Ana Lima")
    assert sorted(
        label.name for label in ana.labels.all() if not label.name.startswith("Imp")
    ) == ["Book club", "Friends", "Running club"]


def test_a_group_without_a_name_is_left_out_with_a_notice(alice, flow):
    text = (
        "BEGIN:VCARD\nVERSION:4.0\nKIND:group\nMEMBER:urn:uuid:1\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:4.0\nUID:urn:uuid:1\nFN:Ann\nEND:VCARD\n"
    )
    batch = flow.upload(alice, "group.vcf", text.encode())
    assert batch.new_count == 1
    assert batch.notices == [
        "line 1: a group without a name is not a contact; it is left out"
    ]


def test_apples_company_cards_show_the_company(alice, flow):
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nN:Costa;Bea;;;\nFN:Bea Costa\n"
        "ORG:Padaria Central;Vendas\nX-ABShowAs:COMPANY\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nN:;;;;\nFN:\nX-ABShowAs:COMPANY\n"
        "EMAIL:info@example.org\nEND:VCARD\n"
    )
    [bakery, nameless] = read_vcards(text, file_encoding="utf-8").cards
    assert bakery.name_to_show() == "Padaria Central"
    assert (bakery.given_name, bakery.family_name) == ("Bea", "Costa")
    # Without an organization, the card shows what it has.
    assert nameless.name_to_show() == "info@example.org"
    flow.confirm(flow.upload(alice, "company.vcf", text.encode()), "add")
    contact = Contact.objects.get(owner=alice, given_name="Bea")
    assert contact.shown_name == "Padaria Central"
    assert contact.organization == "Padaria Central, Vendas"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            "X-MS-ANNIVERSARY:20010602\nX-MS-SPOUSE:Bob\nX-MS-IMADDRESS:ann@im.example",
            [
                "Anniversary: 2 June 2001",
                "Spouse: Bob",
                "Instant messaging: ann@im.example",
            ],
        ),
        (
            "X-EVOLUTION-ANNIVERSARY:2001-06-02\nX-EVOLUTION-MANAGER:Carol",
            ["Anniversary: 2 June 2001", "Manager: Carol"],
        ),
        (
            "X-KADDRESSBOOK-X-SpousesName:Bob\nX-KADDRESSBOOK-X-AssistantsName:Dave",
            ["Spouse: Bob", "Assistant: Dave"],
        ),
    ],
)
def test_outlooks_evolutions_and_kaddressbooks_own_properties(lines, expected):
    text = f"BEGIN:VCARD\nVERSION:3.0\nFN:Ann\n{lines}\nEND:VCARD\n"
    [card] = read_vcards(text, file_encoding="utf-8").cards
    assert extra_lines(card.extras) == expected


def test_a_group_that_names_no_card_is_left_out_with_a_notice(alice, flow):
    text = "BEGIN:VCARD\nVERSION:4.0\nKIND:group\nFN:Empty\nEND:VCARD\n"
    text += "BEGIN:VCARD\nVERSION:4.0\nFN:Ann\nEND:VCARD\n"
    batch = flow.upload(alice, "group.vcf", text.encode())
    assert batch.new_count == 1
    assert batch.notices == ["line 1: the group “Empty” names no card; it is left out"]


def test_apples_social_profiles_by_user_name_keep_the_name_not_apples_address():
    # An iPhone writes a profile it has no web address for as "x-apple:"
    # and the user name (percent-encoded, phone numbers between direction
    # marks), with the name itself in `x-user`.
    cards, _result = read("apple_social.vcf")
    assert extra_lines(cards["Mai Ng"].extras) == [
        "Twitter: mai_ng",
        "LINE: 8002214542",
        "Discord: mai#1",
        "LinkedIn: https://www.linkedin.com/in/maing",
    ]
