"""Spreadsheets and Outlook exports whose columns are named in other languages."""

from pathlib import Path

import pytest

from contacts import csv_formats
from contacts.models import Contact
from contacts.models import ContactImport as Batch
from contacts.services.imports import import_confirm, import_set_mapping, import_upload

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
Status = Batch.Status


@pytest.mark.parametrize(
    ("header", "target"),
    [
        # French, as people and Outlook's French export write them
        ("Prénom", "given_name"),
        ("Nom de famille", "family_name"),
        ("Société", "organization"),
        ("Adresse e-mail", "email:other"),
        ("Adresse de messagerie 2", "email:other"),
        ("Type de messagerie", ""),
        ("Tél. mobile", "phone:mobile"),
        ("Téléphone (domicile)", "phone:home"),
        ("Téléphone 2 (bureau)", "phone:work"),
        ("Télécopie (bureau)", "phone:custom=Work fax"),
        ("Rue (domicile)", "address:home:street"),
        ("Code postal", "address:home:postal_code"),
        ("Ville (bureau)", "address:work:city"),
        ("Pays/Région (domicile)", "address:home:country"),
        ("Date de naissance", "birthday"),
        ("Catégories", "labels"),
        # German
        ("Vorname", "given_name"),
        ("Nachname", "family_name"),
        ("E-Mail-Adresse", "email:other"),
        ("E-Mail 2: Adresse", "email:other"),
        ("E-Mail-Typ", ""),
        ("E-Mail: Angezeigter Name", ""),
        ("Mobiltelefon 2", "phone:mobile"),
        ("Telefon geschäftlich", "phone:work"),
        ("Straße privat 2", "address:home:street"),
        ("PLZ", "address:home:postal_code"),
        ("Geburtsdatum", "birthday"),
        ("Notizen", "notes"),
        # Spanish, Italian, Dutch, Portuguese
        ("Apellidos", "family_name"),
        ("Correo electrónico", "email:other"),
        ("Teléfono móvil", "phone:mobile"),
        ("Cumpleaños", "birthday"),
        ("Cognome", "family_name"),
        ("Cellulare", "phone:mobile"),
        ("Achternaam", "family_name"),
        ("Woonplaats", "address:home:city"),
        ("Sobrenome", "family_name"),
        ("Telemóvel", "phone:mobile"),
        # Still nothing for a column that says nothing known
        ("Geschlecht", ""),
        ("Jahrestag", ""),
        # English stays as it was
        ("E-mail Type", ""),
        ("E-mail 2 Address", "email:other"),
    ],
)
def test_column_names_in_other_languages_suggest_their_field(header, target):
    assert csv_formats.guess_target(header) == target


def test_outlooks_german_export_is_read_with_every_column_guessed(
    alice, django_capture_on_commit_callbacks
):
    data = (DATA / "outlook_de.csv").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_upload(owner=alice, file_name="Kontakte.csv", data=data)
    batch.refresh_from_db()
    assert batch.status == Status.MAPPING
    assert batch.encoding == "Windows-1252 (the file is not UTF-8)"
    with django_capture_on_commit_callbacks(execute=True):
        import_set_mapping(batch=batch, mapping=batch.mapping)
    batch.refresh_from_db()
    assert batch.status == Status.READY, batch.error
    assert batch.problem_count == 0
    assert batch.notices == []
    with django_capture_on_commit_callbacks(execute=True):
        import_confirm(batch=batch, on_duplicate="add")
    batch.refresh_from_db()
    assert batch.status == Status.DONE, batch.error

    jurgen = Contact.objects.get(owner=alice, family_name="Weiß")
    assert (jurgen.prefix, jurgen.given_name) == ("Frau", "Jürgen")
    assert jurgen.organization == "Müller & Söhne GmbH, Vertrieb"  # and department
    assert jurgen.job_title == "Leiter Vertrieb"
    assert [e.value for e in jurgen.emails.order_by("id")] == [
        "juergen.weiss@mueller-soehne.example",
        "jw@privat.example",
    ]
    phones = {(p.label, p.custom_label, p.value) for p in jurgen.phones.all()}
    assert phones == {
        ("work", "", "+49 30 1234567"),
        ("custom", "Work fax", "+49 30 1234568"),
        ("home", "", "+49 30 7654321"),
        ("mobile", "", "+49 151 23456789"),
    }
    [office] = jurgen.addresses.all()
    assert (office.label, office.street, office.city, office.postal_code) == (
        "work",
        "Friedrichstraße 123\nAufgang B",
        "Berlin",
        "10117",
    )
    assert office.country == "Deutschland"
    assert (jurgen.birthday_day, jurgen.birthday_month, jurgen.birthday_year) == (
        24,
        12,
        1975,
    )
    assert sorted(
        label.name
        for label in jurgen.labels.all()
        if not label.name.startswith("Imported")
    ) == ["Kunden", "Wichtig"]
    assert jurgen.notes == "Bevorzugt Anrufe am Vormittag."
    assert [w.url for w in jurgen.websites.all()] == [
        "https://www.mueller-soehne.example"
    ]

    anna = Contact.objects.get(owner=alice, family_name="Schröder")
    [home] = anna.addresses.all()
    assert (home.label, home.city) == ("home", "Köln")
    assert anna.birthday_month is None
