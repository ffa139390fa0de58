"""Demo address books, loaded by `manage.py seed_demo` after the members exist.

Each demo member gets 40 to 80 contacts with labels, favourites, birthdays
(some without a year), a few accented names, a handful of other demo
members (by their email, so the cards show "On Rapport"), one person
saved twice, the second time with a typo in the name (for the Duplicates
page), and two people in the Trash. Alice also imported a small file from
her phone, so the Import page shows one import she can look at or undo.
Each person comes from one of five countries, with a name, an address and
valid phone numbers of that country.
Every member's book comes from its own seeded generator: the same on every
machine, and a member whose book exists already is left alone.
"""

import random
import re

import phonenumbers
from faker import Faker

from connections.demo import demo_picture
from contacts.models import Contact, ContactImport, Label
from contacts.models.imports import OnDuplicate
from contacts.services.contacts import (
    AddressEntry,
    ContactData,
    EmailEntry,
    PhoneEntry,
    WebsiteEntry,
    contact_create,
)
from contacts.services.labels import label_for_name
from contacts.services.photos import contact_photo_set
from contacts.services.trash import contact_trash
from contacts.text import fold

LOCALES = ["en_US", "en_GB", "fr_FR", "de_DE", "es_ES"]
# Each demo person comes from one place: their name, address and numbers agree.
REGIONS = {"en_US": "US", "en_GB": "GB", "fr_FR": "FR", "de_DE": "DE", "es_ES": "ES"}
COUNTRIES = {
    "en_US": "United States",
    "en_GB": "United Kingdom",
    "fr_FR": "France",
    "de_DE": "Germany",
    "es_ES": "Spain",
}
LABELS = ["Family", "Work", "Book club", "Friends", "Neighbours", "Running club"]
ACCENTED = [
    ("Zoë", "Lefèvre"),
    ("José", "Núñez"),
    ("Åsa", "Öberg"),
    ("François", "Côté"),
    ("Chloé", "Müller"),
    ("İlkay", "Gündoğan"),
    ("Siân", "Ó Briain"),
]
# The share of demo contacts with a photo: a drawn silhouette, not a person.
PHOTO_SHARE = 0.2
TRASHED = 2
NOT_IN_ADDRESS = re.compile(r"[^a-z0-9.]")
NOT_IN_DOMAIN = re.compile(r"[^a-z0-9.-]")


def seed(*, members, faker, stdout):
    """Give each demo member an address book, unless they already have one."""
    created = 0
    for member in members:
        if Contact.objects.filter(owner=member).exists():
            continue
        rng = random.Random(f"rapport-demo-photos:{member.email}")
        for data in _address_book(member, members):
            contact = contact_create(owner=member, data=data)
            created += 1
            if rng.random() < PHOTO_SHARE:
                contact_photo_set(contact=contact, upload=demo_picture(rng))
        # Two people deleted lately, so the Trash shows what it is for; drawn
        # from their own generator, so the rest of the book stays as it was.
        trash_seed = f"rapport-demo-trash:{member.email}"
        trash_rng = random.Random(trash_seed)
        trash_fake = Faker(LOCALES)
        trash_fake.seed_instance(trash_seed)
        labels = list(Label.objects.filter(owner=member).order_by("pk"))
        for _ in range(TRASHED):
            person = _person(trash_fake, trash_rng, labels)
            contact_trash(contact=contact_create(owner=member, data=person))
            created += 1
    stdout.write(f"Contacts: {created} new demo contacts.")
    seed_import(members=members, stdout=stdout)


# The file Alice imported: a phone's export (vCard 3.0, an Apple-style label,
# a birthday without a year), read and confirmed through the import services.
DEMO_IMPORT_NAME = "Phone contacts.vcf"
DEMO_IMPORT = r"""BEGIN:VCARD
VERSION:3.0
N:Lindqvist;Maja;;;
FN:Maja Lindqvist
ORG:Lindqvist Ceramics
EMAIL;TYPE=INTERNET,HOME:maja@lindqvist-ceramics.example
TEL;TYPE=CELL:+46 70 123 45 67
BDAY:--0614
END:VCARD
BEGIN:VCARD
VERSION:3.0
N:Osei;Kwame;;;
FN:Kwame Osei
item1.EMAIL;TYPE=INTERNET:kwame.osei@example.net
item1.X-ABLabel:Climbing
TEL;TYPE=CELL:+44 7700 900123
NOTE:Climbing partner\, Tuesdays at the wall.
END:VCARD
BEGIN:VCARD
VERSION:3.0
N:Tanaka;Yui;;;
FN:Yui Tanaka
EMAIL;TYPE=INTERNET,WORK:yui.tanaka@example.jp
TITLE:Architect
END:VCARD
BEGIN:VCARD
VERSION:3.0
N:Ferreira;Inês;;;
FN:Inês Ferreira
TEL;TYPE=CELL:+351 912 345 678
ADR;TYPE=HOME:;;Rua das Flores 12;Porto;;4050-262;Portugal
END:VCARD
"""


def seed_import(*, members, stdout):
    """Alice's import of `DEMO_IMPORT`, unless she has imported before."""
    from contacts.services.imports import import_confirm, import_read, import_upload

    alice = next((m for m in members if m.email == "alice@example.com"), None)
    if alice is None or ContactImport.objects.filter(owner=alice).exists():
        return
    batch = import_upload(
        owner=alice, file_name=DEMO_IMPORT_NAME, data=DEMO_IMPORT.encode()
    )
    # Read now rather than after the demo's transaction commits: confirming
    # needs the preview. The import itself runs once the demo is saved.
    batch = import_read(batch_id=batch.pk)
    import_confirm(batch=batch, on_duplicate=OnDuplicate.SKIP)
    stdout.write(f"Imports: {DEMO_IMPORT_NAME} for {alice.display_name}.")


def _address_book(member, members) -> list[ContactData]:
    seed_text = f"rapport-demo-contacts:{member.email}"
    rng = random.Random(seed_text)
    fake = Faker(LOCALES)
    fake.seed_instance(seed_text)
    labels = [
        label_for_name(owner=member, name=name)
        for name in sorted(rng.sample(LABELS, k=rng.randint(3, 5)))
    ]
    people = []
    others = [other for other in members if other.pk != member.pk]
    for other in rng.sample(others, k=min(len(others), rng.randint(3, 6))):
        given, _, family = other.display_name.partition(" ")
        people.append(
            ContactData(
                given_name=given,
                family_name=family,
                job_title=other.headline[:120],
                emails=[EmailEntry(other.email, "home")],
                labels=rng.sample(labels, k=rng.randint(0, 1)),
                is_favorite=rng.random() < 0.3,
            )
        )
    for given, family in rng.sample(ACCENTED, k=rng.randint(2, 4)):
        people.append(_person(fake, rng, labels, given=given, family=family))
    while len(people) < rng.randint(40, 80):
        people.append(_person(fake, rng, labels))
    typed_again = next(
        (
            person
            for person in reversed(people)
            if len(person.family_name) >= 3 and person.family_name.isalpha()
        ),
        None,
    )
    if typed_again:
        people.append(_retyped(typed_again, rng))
    rng.shuffle(people)
    return people


def _retyped(person: ContactData, rng) -> ContactData:
    """The same person saved again under a misspelt name, as address books
    collect them: the Duplicates page shows them as a similar name."""
    family = person.family_name
    middle = len(family) // 2
    return ContactData(
        given_name=person.given_name,
        # One letter typed twice: "Martin" → "Marttin".
        family_name=family[:middle] + family[middle] + family[middle:],
        phones=person.phones[:1],
        is_favorite=False,
        labels=person.labels[:1] if rng.random() < 0.5 else [],
    )


def _phone_number(rng, region: str, kind) -> str:
    """A valid number of `region`, written as people there write it, the
    region's own (US) without its country code."""
    example = phonenumbers.example_number_for_type(region, kind)
    digits = str(example.national_number)
    for _attempt in range(20):
        tail = "".join(str(rng.randrange(10)) for _ in range(4))
        number = phonenumbers.parse(f"+{example.country_code}{digits[:-4]}{tail}")
        if phonenumbers.is_valid_number(number):
            break
    else:
        number = example
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == "US"
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def _person(fake, rng, labels, *, given=None, family=None) -> ContactData:
    locale = rng.choice(LOCALES)
    region = REGIONS[locale]
    fake = fake[locale]
    given = given or fake.first_name()
    family = family or fake.last_name()
    handle = NOT_IN_ADDRESS.sub("", fold(f"{given}.{family}"))
    emails = [EmailEntry(f"{handle}@{fake.free_email_domain()}", "home")]
    work_domain = NOT_IN_DOMAIN.sub("", fold(fake.domain_name()))
    if rng.random() < 0.3:
        emails.append(EmailEntry(f"{handle}@{work_domain}", "work"))
    kind = rng.choice(["mobile", "home"])
    number_type = (
        phonenumbers.PhoneNumberType.MOBILE
        if kind == "mobile"
        else phonenumbers.PhoneNumberType.FIXED_LINE
    )
    phones = [PhoneEntry(_phone_number(rng, region, number_type), kind)]
    if rng.random() < 0.2:
        holiday = REGIONS[rng.choice(LOCALES)]
        phones.append(
            PhoneEntry(
                _phone_number(rng, holiday, phonenumbers.PhoneNumberType.FIXED_LINE),
                "custom",
                "Holiday house",
            )
        )
    works = rng.random() < 0.6
    addresses = []
    if rng.random() < 0.4:
        addresses.append(
            AddressEntry(
                street=fake.street_address(),
                city=fake.city(),
                postal_code=fake.postcode(),
                country=COUNTRIES[locale],
                label=rng.choice(["home", "work"]),
            )
        )
    websites = []
    if rng.random() < 0.1:
        websites.append(WebsiteEntry(f"https://{work_domain}/", "work"))
    birthday = {}
    if rng.random() < 0.35:
        date = fake.date_of_birth(minimum_age=18, maximum_age=85)
        birthday = {
            "birthday_day": date.day,
            "birthday_month": date.month,
            "birthday_year": date.year if rng.random() < 0.7 else None,
        }
    return ContactData(
        given_name=given,
        family_name=family,
        nickname=given[:3] if rng.random() < 0.05 else "",
        organization=fake.company()[:120] if works else "",
        job_title=fake.job()[:120] if works else "",
        notes=fake.sentence(nb_words=12) if rng.random() < 0.25 else "",
        is_favorite=rng.random() < 0.1,
        emails=emails,
        phones=phones,
        addresses=addresses,
        websites=websites,
        labels=rng.sample(labels, k=rng.choice([0, 0, 1, 1, 2])),
        **birthday,
    )
