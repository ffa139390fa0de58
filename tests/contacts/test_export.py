"""Export: vCard 3.0, 4.0 and Google CSV, streamed, safe, and a faithful round trip."""

import csv
import io
import re
import string

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connections.csv_cells import neutralise, unneutralise
from contacts.models import Contact, ContactImport, Label
from contacts.selectors.contacts import contact_with_details
from contacts.selectors.transfer import contacts_to_export, export_stream
from contacts.services.contacts import (
    AddressEntry,
    ContactData,
    EmailEntry,
    PhoneEntry,
    WebsiteEntry,
    contact_create,
)
from contacts.services.imports import import_confirm, import_upload
from contacts.vcard import vcard_from_contact
from tests.factories import ContactFactory, LabelFactory, UserFactory

pytestmark = pytest.mark.django_db

# The session and member, the header's invitations badge, the navigation's
# labels, the count of contacts, the labels with theirs, the count of connections.
EXPORT_PAGE_QUERIES = 7


def download(client, **params):
    response = client.post(reverse("contacts:export_download"), params)
    assert response.status_code == 200, response.content[:500]
    assert response.streaming
    return response, b"".join(response.streaming_content)


# ---------- The page and the download ----------


def test_export_page_offers_scopes_and_formats(alice, alice_client):
    LabelFactory(owner=alice, name="Family")
    page = alice_client.get(reverse("contacts:export")).content.decode()
    assert 'name="scope" value="all"' in page
    assert "Family" in page
    assert 'value="vcard3"' in page
    assert 'value="vcard4"' in page
    assert 'value="csv"' in page


def test_export_page_counts_everyone_and_each_label_in_fixed_queries(
    alice, bob, alice_client, django_assert_max_num_queries
):
    family = LabelFactory(owner=alice, name="Family")
    LabelFactory(owner=alice, name="Empty")
    for name in ("Ann", "Bea", "Cy"):
        ContactFactory(owner=alice, given_name=name, labels=[family])
    ContactFactory(owner=alice, given_name="Gone", labels=[family], trashed=True)
    ContactFactory(owner=bob, given_name="Theirs")
    url = reverse("contacts:export")
    with django_assert_max_num_queries(EXPORT_PAGE_QUERIES):
        page = alice_client.get(url).content.decode()
    assert "3 contacts: everything in your address book, the Trash aside." in page
    assert f'<option value="{family.pk}">Family · 3 contacts</option>' in page
    assert ">Empty · 0 contacts</option>" in page
    for name in ("Dee", "Eve", "Flo"):
        ContactFactory(owner=alice, given_name=name, labels=[family])
        LabelFactory(owner=alice, name=f"Label {name}")
    with django_assert_max_num_queries(EXPORT_PAGE_QUERIES):
        page = alice_client.get(url).content.decode()
    assert "6 contacts: everything" in page
    assert f'<option value="{family.pk}">Family · 6 contacts</option>' in page


def test_a_labels_count_is_not_read_as_part_of_its_name(alice, alice_client):
    # The second import of a day is labelled "… (2)": its count stays apart.
    second = LabelFactory(owner=alice, name="Imported 2026-11-29 (2)")
    ContactFactory(owner=alice, given_name="Ann", labels=[second])
    page = alice_client.get(reverse("contacts:export")).content.decode()
    assert (
        f'<option value="{second.pk}">Imported 2026-11-29 (2) · 1 contact</option>'
        in page
    )
    assert "(2) (" not in page


def test_the_lists_selection_is_posted_to_the_export_page(alice, alice_client):
    one, two = ContactFactory(owner=alice), ContactFactory(owner=alice)
    response = alice_client.post(
        reverse("contacts:export"), {"contact": [one.pk, two.pk], "action": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The 2 contacts you selected" in page
    assert f'name="contact" value="{one.pk}"' in page


@pytest.mark.parametrize(
    ("export_format", "content_type", "extension"),
    [
        ("vcard3", "text/vcard; charset=utf-8", "vcf"),
        ("vcard4", "text/vcard; charset=utf-8", "vcf"),
        ("csv", "text/csv; charset=utf-8", "csv"),
    ],
)
def test_a_download_is_an_attachment_of_the_right_type(
    alice, alice_client, export_format, content_type, extension
):
    ContactFactory(owner=alice, given_name="Zoë", family_name="Martin")
    response, body = download(alice_client, scope="all", format=export_format)
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-')
    assert response["Content-Disposition"].endswith(f'.{extension}"')
    assert "Zoë".encode() in body


def test_all_contacts_leaves_out_the_trash_and_other_members(alice, bob, alice_client):
    ContactFactory(owner=alice, given_name="Kept")
    ContactFactory(owner=alice, given_name="Trashed", trashed=True)
    ContactFactory(owner=bob, given_name="Bobs")
    _response, body = download(alice_client, scope="all", format="vcard3")
    assert body.count(b"BEGIN:VCARD") == 1
    assert b"Kept" in body


def test_a_label_chosen_with_all_contacts_ticked_is_asked_about_not_ignored(
    alice, alice_client, settings
):
    settings.RAPPORT_EXPORTS_PER_HOUR = 1
    cache.clear()
    # Without JavaScript, choosing a label leaves "All contacts" ticked: the
    # member meant one of the two, and everything is not silently exported.
    family = LabelFactory(owner=alice, name="Family")
    ContactFactory(owner=alice, given_name="Ann", labels=[family])
    ContactFactory(owner=alice, given_name="Other")
    response = alice_client.post(
        reverse("contacts:export_download"),
        {"scope": "all", "label": family.pk, "format": "vcard3"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "You chose the label “Family” but “All contacts” is ticked: tick "
        "“The contacts with a label”, or choose no label to export all."
    ) in page
    assert f'<option value="{family.pk}" selected>' in page
    assert re.search(r'<select name="label"[^>]* autofocus', page)
    # Nothing was spent: the export the member then chooses is downloaded.
    _response, body = download(
        alice_client, scope="label", label=family.pk, format="vcard3"
    )
    assert body.count(b"BEGIN:VCARD") == 1


def test_a_label_exports_only_its_contacts_and_names_the_file(alice, alice_client):
    family = LabelFactory(owner=alice, name="Family Ties")
    ContactFactory(owner=alice, given_name="In", labels=[family])
    ContactFactory(owner=alice, given_name="Out")
    response, body = download(
        alice_client, scope="label", label=family.pk, format="vcard4"
    )
    assert body.count(b"BEGIN:VCARD") == 1
    assert b"FN:In " in body
    assert 'filename="family-ties-' in response["Content-Disposition"]


def test_a_selection_exports_only_the_owners_selected_contacts(
    alice, bob, alice_client
):
    mine = ContactFactory(owner=alice, given_name="Mine")
    ContactFactory(owner=alice, given_name="Other")
    theirs = ContactFactory(owner=bob, given_name="Theirs")
    _response, body = download(
        alice_client, scope="selection", contact=[mine.pk, theirs.pk], format="vcard3"
    )
    assert body.count(b"BEGIN:VCARD") == 1
    assert b"Mine" in body
    assert b"Theirs" not in body


def test_one_contacts_card_is_named_after_them_in_any_script(alice, alice_client):
    zoe = ContactFactory(owner=alice, given_name="Zoë", family_name="O'Brien/Лебедева")
    response, body = download(
        alice_client, scope="selection", contact=[zoe.pk], format="vcard3"
    )
    assert body.count(b"BEGIN:VCARD") == 1
    # RFC 6266: an ASCII fallback is not given; filename*= carries the name.
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Zo%C3%AB%20O%20Brien%20"
        "%D0%9B%D0%B5%D0%B1%D0%B5%D0%B4%D0%B5%D0%B2%D0%B0.vcf"
    )


def test_a_label_in_any_script_names_the_file_the_browser_can_read(alice, alice_client):
    family = LabelFactory(owner=alice, name="Семья")
    ContactFactory(owner=alice, given_name="In", labels=[family])
    response, _body = download(
        alice_client, scope="label", label=family.pk, format="csv"
    )
    header = response["Content-Disposition"]
    assert header.startswith("attachment; filename*=utf-8''%D1%81%D0%B5%D0%BC")
    assert header.isascii()


def test_a_strangers_contact_gives_no_name_and_no_card(alice, bob, bob_client):
    secret = ContactFactory(owner=alice, given_name="Secret", family_name="Person")
    response, body = download(
        bob_client, scope="selection", contact=[secret.pk], format="vcard3"
    )
    assert body == b""
    assert "Secret" not in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-')


def test_the_contact_page_offers_its_card(alice, alice_client):
    zoe = ContactFactory(owner=alice, given_name="Zoë", family_name="Martin")
    page = alice_client.get(reverse("contacts:detail", args=[zoe.pk])).content.decode()
    url = reverse("contacts:export_download")
    assert (
        f'href="{url}?scope=selection&amp;contact={zoe.pk}&amp;format=vcard3" download'
        in page
    )
    assert 'aria-label="Download the vCard of Zoë Martin"' in page


def test_another_members_label_is_refused(alice, bob, alice_client):
    theirs = LabelFactory(owner=bob, name="Secret")
    response = alice_client.post(
        reverse("contacts:export_download"),
        {"scope": "label", "label": theirs.pk, "format": "vcard3"},
    )
    assert response.status_code == 400
    assert "Secret" not in response.content.decode()


def test_a_selection_with_nothing_selected_says_what_to_do(alice, alice_client):
    response = alice_client.post(
        reverse("contacts:export_download"), {"scope": "selection", "format": "csv"}
    )
    assert response.status_code == 400
    assert "Select contacts on the list first" in response.content.decode()


def test_export_queries_do_not_grow_with_the_contacts(
    alice, alice_client, django_assert_max_num_queries, settings
):
    settings.RAPPORT_EXPORT_CHUNK = 100
    ContactFactory(owner=alice, emails=["a@x.example"], phones=["+1 415 555 0100"])
    with django_assert_max_num_queries(20) as one:
        download(alice_client, scope="all", format="vcard3")
    for index in range(60):
        ContactFactory(owner=alice, emails=[f"p{index}@x.example"])
    with django_assert_max_num_queries(len(one.captured_queries)):
        download(alice_client, scope="all", format="vcard3")


def test_export_reads_contacts_in_chunks(alice, settings, django_assert_num_queries):
    settings.RAPPORT_EXPORT_CHUNK = 2
    for index in range(5):
        ContactFactory(owner=alice, given_name=f"P{index}")
    contacts = contacts_to_export(owner=alice)
    stream = export_stream(contacts, "vcard3")
    # One query reads the contacts in chunks of 2; each chunk prefetches its
    # emails, phones, addresses, websites and labels: 1 + 3 x 5.
    with django_assert_num_queries(1 + 3 * 5):
        chunks = list(stream)
    assert sum(chunk.count(b"BEGIN:VCARD") for chunk in chunks) == 5
    assert len(chunks) == 3


# ---------- CSV safety ----------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindent", "'\tindent"),
        ("\rcarriage", "'\rcarriage"),
        ("'=already", "''=already"),
        ("plain", "plain"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_cells_that_start_a_formula_are_neutralised_and_restored(value, written):
    assert neutralise(value) == written
    assert unneutralise(written) == value


def test_the_csv_export_is_rfc_4180_and_neutralised(alice, alice_client):
    contact_create(
        owner=alice,
        data=ContactData(
            display_name='=HYPERLINK("http://evil.example","x")',
            given_name="Eve",
            notes='Line one, "quoted"\nline two',
            phones=[PhoneEntry("+1 415 555 0100")],
            emails=[EmailEntry("-dash@x.example")],
        ),
    )
    _response, body = download(alice_client, scope="all", format="csv")
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert "\r\n" in text
    assert "\n" not in text.replace("\r\n", "").replace(
        '"Line one, ""quoted""\nline two"', ""
    )
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    header, row = rows[0], rows[1]
    assert len(row) == len(header)
    cells = dict(zip(header, row, strict=True))
    assert cells["File As"] == '\'=HYPERLINK("http://evil.example","x")'
    assert cells["Phone 1 - Value"] == "'+1 415 555 0100"
    assert cells["Notes"] == 'Line one, "quoted"\nline two'
    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_the_csv_header_grows_with_the_most_details_on_one_contact(alice, alice_client):
    ContactFactory(owner=alice, emails=["a@x.example", "b@x.example", "c@x.example"])
    ContactFactory(owner=alice, phones=["1", "2"])
    _response, body = download(alice_client, scope="all", format="csv")
    header = body.decode("utf-8-sig").split("\r\n")[0]
    assert "E-mail 3 - Value" in header
    assert "E-mail 4 - Value" not in header
    assert "Phone 2 - Value" in header
    assert "Phone 3 - Value" not in header
    assert header.startswith("First Name,Middle Name,Last Name,")


# ---------- Round trip: export then import gives back the same contacts ----------


def snapshot(contact: Contact) -> dict:
    """Everything a card holds, comparable between two contacts."""
    return {
        "fields": {
            name: getattr(contact, name)
            for name in (
                "prefix",
                "given_name",
                "middle_name",
                "family_name",
                "suffix",
                "display_name",
                "nickname",
                "organization",
                "job_title",
                "notes",
                "birthday_day",
                "birthday_month",
                "birthday_year",
                "is_favorite",
                "shown_name",
            )
        },
        "emails": [(e.value, e.label, e.custom_label) for e in contact.emails.all()],
        "phones": [(p.value, p.label, p.custom_label) for p in contact.phones.all()],
        "addresses": [
            (
                a.street,
                a.city,
                a.region,
                a.postal_code,
                a.country,
                a.label,
                a.custom_label,
            )
            for a in contact.addresses.all()
        ],
        "websites": [(w.url, w.label, w.custom_label) for w in contact.websites.all()],
        "labels": sorted(
            label.name
            for label in contact.labels.all()
            if not label.name.startswith("Imported ")
        ),
    }


def reimport(owner, body: bytes, name: str, capture):
    # Property tests import once per example: the hourly upload limit counts
    # them all, and is not what they check.
    cache.clear()
    with capture(execute=True):
        batch = import_upload(owner=owner, file_name=name, data=body)
    batch.refresh_from_db()
    assert batch.status == ContactImport.Status.READY, (batch.error, batch.problems)
    assert batch.problem_count == 0, batch.problems
    with capture(execute=True):
        import_confirm(batch=batch, on_duplicate="add")
    batch.refresh_from_db()
    assert batch.status == ContactImport.Status.DONE, batch.error
    return batch


def full_card_data(label) -> ContactData:
    return ContactData(
        prefix="Dr.",
        given_name="Zoë",
        middle_name="Anne",
        family_name="Lefèvre-Núñez",
        suffix="Jr., PhD",
        display_name="Zoë “Zo” Lefèvre",
        nickname="Zo; Zozo",
        organization="Northwind, Traders; Ltd",
        job_title="=Editor, in chief",
        notes="Line 1, with; punctuation\\ and a backslash\nLine 2 “quoted”\n\n-dash",
        birthday_day=29,
        birthday_month=2,
        is_favorite=True,
        emails=[
            EmailEntry("zoe@home.example", "home"),
            EmailEntry("zoe@work.example", "work"),
            EmailEntry("pa@work.example", "custom", "Assistant, PA"),
            EmailEntry("m@x.example", "mobile"),
        ],
        phones=[
            PhoneEntry("+1 415 555 0100", "mobile"),
            PhoneEntry("(415) 555-0111 ext. 42", "work"),
            PhoneEntry("555 0199", "custom", "Boat; sometimes"),
            PhoneEntry("-12", "other"),
        ],
        addresses=[
            AddressEntry(
                street="12 Rue de la Paix, 2e\nBâtiment B",
                city="Paris",
                region="Île-de-France",
                postal_code="75002",
                country="France",
                label="home",
            ),
            AddressEntry(city="London", label="custom", custom_label="Summer"),
        ],
        websites=[
            WebsiteEntry("https://zoe.example/a,b;c", "work"),
            WebsiteEntry("https://blog.example", "custom", "Blog"),
        ],
        labels=[label],
    )


@pytest.mark.parametrize("export_format", ["vcard3", "vcard4", "csv"])
def test_a_full_card_survives_export_then_import(
    alice, alice_client, django_capture_on_commit_callbacks, export_format
):
    family = LabelFactory(owner=alice, name="Family, close")
    original = contact_create(owner=alice, data=full_card_data(family))
    _response, body = download(alice_client, scope="all", format=export_format)
    bob = UserFactory()
    name = "back.csv" if export_format == "csv" else "back.vcf"
    reimport(bob, body, name, django_capture_on_commit_callbacks)
    back = contact_with_details(owner=bob).get()
    assert snapshot(back) == snapshot(
        contact_with_details(owner=alice).get(pk=original.pk)
    )


def test_reimporting_an_export_finds_every_contact_by_its_uid(
    alice, alice_client, django_capture_on_commit_callbacks
):
    ContactFactory(owner=alice, given_name="No", family_name="Email")
    ContactFactory(owner=alice, given_name="Also", family_name="Nothing")
    _response, body = download(alice_client, scope="all", format="vcard3")
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_upload(owner=alice, file_name="again.vcf", data=body)
    batch.refresh_from_db()
    assert (batch.new_count, batch.duplicate_count) == (0, 2)


# Property: any contact a member can type survives export then import.

text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
        blacklist_characters="\u0085\ufeff",
    ),
    max_size=25,
).map(str.strip)
words = st.text(
    alphabet=string.ascii_letters + "àéîõüßçñ ,;:\\'\"=+-@", max_size=20
).map(str.strip)
kinds = st.sampled_from(["home", "work", "mobile", "other"])
emails = st.builds(
    lambda local, domain, kind: EmailEntry(f"{local}@{domain}.example", kind),
    st.from_regex(r"[a-z0-9][a-z0-9_+-]{0,10}", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True),
    kinds,
)
phones = st.builds(
    PhoneEntry,
    st.from_regex(r"\+?[0-9][0-9 ()./-]{0,14}[0-9]", fullmatch=True),
    kinds,
)
addresses = st.builds(
    lambda street, city, country, kind: AddressEntry(
        street=street or "1 Main St", city=city, country=country, label=kind
    ),
    words,
    words,
    words,
    kinds,
)
cards = st.builds(
    ContactData,
    prefix=words.map(lambda value: value[:30].strip()),
    given_name=text,
    family_name=words,
    nickname=words,
    organization=text,
    job_title=words,
    display_name=text,
    notes=st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
            blacklist_characters="\u0085\ufeff",
        )
        | st.just("\n"),
        max_size=80,
    ).map(str.strip),
    is_favorite=st.booleans(),
    emails=st.lists(emails, max_size=3, unique_by=lambda entry: entry.value.lower()),
    phones=st.lists(phones, max_size=2),
    addresses=st.lists(addresses, max_size=2),
)


@pytest.mark.parametrize("export_format", ["vcard3", "vcard4", "csv"])
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=cards)
def test_any_contact_survives_export_then_import(
    alice, django_capture_on_commit_callbacks, export_format, data
):
    if not (
        data.display_name
        or data.given_name
        or data.family_name
        or data.prefix
        or data.nickname
        or data.organization
        or data.emails
        or data.phones
    ):
        data.given_name = "Someone"
    Contact.objects.filter(owner=alice).delete()
    Label.objects.filter(owner=alice).delete()
    original = contact_create(owner=alice, data=data)
    stored = contact_with_details(owner=alice).get(pk=original.pk)
    expected = snapshot(stored)
    if stored.display_name.strip() == vcard_from_contact(stored).implied_name():
        # A display name that only repeats the name the card implies is not
        # written out (it would pin the name); the card reads back the same.
        expected["fields"]["display_name"] = ""
    body = b"".join(export_stream(contacts_to_export(owner=alice), export_format))
    Contact.objects.filter(owner=alice).delete()
    name = "p.csv" if export_format == "csv" else "p.vcf"
    reimport(alice, body, name, django_capture_on_commit_callbacks)
    back = contact_with_details(owner=alice).get()
    assert snapshot(back) == expected
