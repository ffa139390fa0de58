"""Damaged files: any edit of a sample file is refused, or read, saved and undone.

Each example takes a file of the corpus, cuts, repeats, overwrites or inserts
bytes (property names, separators, folding, charsets, stray bytes), and runs
it through the import as a member would. Whatever the damage, the member
gets a specific message or a preview, never "Something went wrong"; what is
read is saved whole on confirm and goes whole on undo.
"""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.models import Contact, ContactImport
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SAMPLES = sorted(
    path.name
    for path in DATA.iterdir()
    if path.suffix in {".vcf", ".csv"} and path.stat().st_size < 64 * 1024
)
Status = ContactImport.Status

# What damaged files are made of: the reader's own syntax, and stray bytes.
PIECES = [
    b":",
    b";",
    b"=",
    b"\\",
    b",",
    b'"',
    b"\t",
    b"\r\n",
    b"\n ",
    b"=\r\n",
    b"BEGIN:VCARD\r\n",
    b"END:VCARD\r\n",
    b"VERSION:4.0\r\n",
    b"ENCODING=QUOTED-PRINTABLE:",
    b"CHARSET=UTF-8:",
    b"CHARSET=nonsense:",
    b"TYPE=",
    b"item1.",
    b"X-ABLabel:",
    b"N:",
    b"FN:",
    b"TEL:",
    b"EMAIL:",
    b"ADR:;;;;;;",
    b"BDAY:--",
    b"BDAY:2024-02-30",
    b"PHOTO;ENCODING=b:",
    b"PHOTO:data:image/png;base64,",
    b"KIND:group\r\nMEMBER:",
    b"X-ANDROID-CUSTOM:vnd.android.cursor.item/",
    b"IMPP:",
    b"RELATED;TYPE=spouse:",
    b"X-ABDATE:",
    b"0/0/00",
    b"13/13/2000",
    b"sep=;\r\n",
    b"\xff",
    b"\xc3",
    b"\x81",
    b"=C3=A9",
    "Müller Saitō".encode(),
    "Müller".encode("cp1252"),
]

edits = st.lists(
    st.tuples(
        st.sampled_from(["cut", "insert", "repeat", "byte"]),
        st.floats(min_value=0, max_value=1),
        st.sampled_from(PIECES),
        st.integers(min_value=1, max_value=200),
    ),
    min_size=1,
    max_size=6,
)


def damaged(data: bytes, changes) -> bytes:
    result = bytearray(data)
    for kind, where, piece, length in changes:
        at = round(where * len(result))
        if kind == "cut":
            del result[at : at + length]
        elif kind == "insert":
            result[at:at] = piece
        elif kind == "repeat":
            result[at:at] = result[at : at + length]
        elif result:
            result[min(at, len(result) - 1)] = length
    return bytes(result)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    name=st.sampled_from(SAMPLES),
    changes=edits,
    choice=st.sampled_from(["skip", "merge", "add"]),
)
def test_a_damaged_file_is_refused_or_imported_whole(flow, name, changes, choice):
    owner = UserFactory()
    try:  # the file as it is first, so that the damaged one has duplicates
        original = flow.upload(owner, name)
        if original.status == Status.MAPPING:
            original = flow.set_mapping(original, original.mapping)
        if original.status == Status.READY:
            flow.confirm(original, "add")
    except ValidationError:
        pass  # the corpus's hostile files
    before = Contact.objects.filter(owner=owner).count()

    refused = None
    try:
        batch = flow.upload(owner, name, damaged((DATA / name).read_bytes(), changes))
        if batch.status == Status.MAPPING:
            batch = flow.set_mapping(batch, batch.mapping)
    except ValidationError as error:
        refused = error
    if refused is not None:
        assert refused.messages[0].strip()
        assert Contact.objects.filter(owner=owner).count() == before
        return
    if batch.status == Status.FAILED:
        assert batch.error
        assert "Something went wrong" not in batch.error
        return
    assert batch.status == Status.READY

    batch = flow.confirm(batch, choice)
    assert batch.status == Status.DONE, batch.error
    added = Contact.objects.filter(owner=owner).count() - before
    expected = batch.new_count + (batch.duplicate_count if choice == "add" else 0)
    assert added == batch.created_count == expected
    assert flow.undo(batch).status == Status.UNDONE
    assert Contact.objects.filter(owner=owner).count() == before
