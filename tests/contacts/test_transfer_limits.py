"""Uploads and exports are bounded per member: files waiting, and per hour."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, ContactImport
from contacts.selectors.transfer import recent_imports
from contacts.services.imports import import_discard, import_upload
from tests.connections.test_races import race
from tests.factories import ContactFactory, LabelFactory, UserFactory

pytestmark = pytest.mark.django_db

CARD = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoe Quinn\r\nEND:VCARD\r\n"
EXPORT = reverse("contacts:export_download")
IMPORT = reverse("contacts:import")


def post_file(run, client, name="zoe.vcf", data=CARD):
    return run(client.post, IMPORT, {"file": SimpleUploadedFile(name, data)})


# ---------- Files waiting to be imported ----------


def test_uploads_stop_at_the_files_waiting_until_one_is_cancelled(
    alice, alice_client, run, settings
):
    settings.RAPPORT_IMPORTS_WAITING_MAX = 2
    for _index in range(2):
        assert post_file(run, alice_client).status_code == 302
    refused = post_file(run, alice_client, name="third.vcf")
    assert refused.status_code == 400
    page = refused.content.decode()
    assert (
        "You have 2 files waiting to be imported. Import or cancel one of them "
        "first, then upload this one." in page
    )
    assert ContactImport.objects.filter(owner=alice).count() == 2
    assert not ContactImport.objects.filter(file_name="third.vcf").exists()
    # Both waiting files are listed on the same page, to import or cancel.
    assert page.count(">zoe.vcf</a>") == 2
    import_discard(batch=ContactImport.objects.filter(owner=alice).first())
    assert post_file(run, alice_client, name="third.vcf").status_code == 302


def test_the_import_page_says_when_uploads_wait_and_cancels_from_the_list(
    alice, alice_client, flow, settings
):
    settings.RAPPORT_IMPORTS_WAITING_MAX = 2
    done = flow.imported(alice, "google_3.vcf")
    ready = flow.upload(alice, "apple_3.vcf")
    page = alice_client.get(IMPORT).content.decode()
    assert "files waiting to be imported" not in page
    cancel = reverse("contacts:import_discard", args=[ready.pk])
    assert f'action="{cancel}"' in page
    assert 'Cancel<span class="visually-hidden"> the import of apple_3.vcf' in page
    # An import already saved is undone from its page, not cancelled here.
    assert reverse("contacts:import_discard", args=[done.pk]) not in page

    flow.upload(alice, "generic.csv")
    page = alice_client.get(IMPORT).content.decode()
    assert (
        "You have 2 files waiting to be imported. Import or cancel one of them "
        "below before uploading another." in page
    )
    response = alice_client.post(cancel)
    assert response.status_code == 302
    assert response["Location"] == IMPORT
    assert not ContactImport.objects.filter(pk=ready.pk).exists()
    page = alice_client.get(IMPORT).content.decode()
    assert "files waiting to be imported" not in page
    assert "Nothing was imported from apple_3.vcf." in page


def test_imported_and_undone_files_do_not_count_as_waiting(alice, flow, settings):
    settings.RAPPORT_IMPORTS_WAITING_MAX = 1
    done = flow.imported(alice, "google_3.vcf")
    assert done.status == ContactImport.Status.DONE
    waiting = flow.upload(alice, "apple_3.vcf")
    assert waiting.status == ContactImport.Status.READY
    with pytest.raises(ValidationError) as refused:
        flow.upload(alice, "apple_3.vcf")
    assert refused.value.code == "waiting"
    assert "You have 1 file waiting to be imported." in refused.value.messages[0]
    flow.confirm(waiting, "add")
    flow.undo(done)
    assert flow.upload(alice, "apple_3.vcf").status == ContactImport.Status.READY


def test_failed_reads_and_files_waiting_for_columns_count(alice, flow, settings):
    settings.RAPPORT_IMPORTS_WAITING_MAX = 2
    assert flow.upload(alice, "generic.csv").status == ContactImport.Status.MAPPING
    broken = b"BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:nothing else\r\nEND:VCARD\r\n"
    assert flow.upload(alice, "broken.vcf", broken).status == "failed"
    with pytest.raises(ValidationError, match="2 files waiting"):
        flow.upload(alice, "google_3.vcf")


def send_from_one_form(run, owner, data=CARD):
    """An upload sent with the token of one upload form (a double click)."""
    return run(
        import_upload,
        owner=owner,
        file_name="zoe.vcf",
        data=data,
        client_token="double-click",
    )


def test_a_double_click_at_the_limit_returns_the_first_upload(alice, run, settings):
    settings.RAPPORT_IMPORTS_WAITING_MAX = 1
    first = send_from_one_form(run, alice)
    assert send_from_one_form(run, alice).pk == first.pk
    assert ContactImport.objects.filter(owner=alice).count() == 1


def test_each_member_has_their_own_files_waiting(alice, bob, flow, settings):
    settings.RAPPORT_IMPORTS_WAITING_MAX = 1
    flow.upload(alice, "google_3.vcf")
    assert flow.upload(bob, "google_3.vcf").status == ContactImport.Status.READY


def test_an_old_file_waiting_is_listed_behind_the_latest_imports(alice, bob):
    old = ContactImport.objects.create(
        owner=alice, file_name="old.vcf", file_size=1, status="ready"
    )
    for _index in range(10):
        ContactImport.objects.create(
            owner=alice,
            file_name="done.vcf",
            file_size=1,
            status="done",
            finished=timezone.now(),
        )
    ContactImport.objects.create(
        owner=bob, file_name="bobs.vcf", file_size=1, status="ready"
    )
    listed = recent_imports(owner=alice)
    assert len(listed) == 11
    assert listed[-1] == old
    assert all(batch.owner_id == alice.pk for batch in listed)


# ---------- Uploads per hour ----------


def test_uploads_past_the_hourly_limit_are_refused_with_the_wait(
    alice, bob, alice_client, run, settings
):
    settings.RAPPORT_IMPORTS_PER_HOUR = 2
    for _index in range(2):
        response = post_file(run, alice_client)
        assert response.status_code == 302
        run(
            alice_client.post,
            reverse("contacts:import_discard", args=[latest_pk(alice)]),
        )
    refused = post_file(run, alice_client)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "You can upload 2 address book files an hour. Try again in" in page
    assert ContactImport.objects.filter(owner=alice).count() == 0
    # Bob's uploads are his own.
    assert import_upload(owner=bob, file_name="zoe.vcf", data=CARD).pk


def test_a_double_click_is_one_upload_against_the_hour(alice, run, settings):
    settings.RAPPORT_IMPORTS_PER_HOUR = 1
    first = send_from_one_form(run, alice)
    assert send_from_one_form(run, alice).pk == first.pk
    # Another file from the same form is another upload, and counted.
    with pytest.raises(ValidationError, match="one address book file an hour"):
        send_from_one_form(run, alice, CARD.replace(b"Zoe", b"Zack"))
    assert ContactImport.objects.filter(owner=alice).count() == 1


def test_a_file_over_the_size_limit_is_not_counted_against_the_hour(
    alice, flow, settings
):
    settings.RAPPORT_IMPORTS_PER_HOUR = 1
    settings.RAPPORT_IMPORT_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="files up to"):
        flow.upload(alice, "zoe.vcf", CARD)
    settings.RAPPORT_IMPORT_MAX_BYTES = 1024
    assert flow.upload(alice, "zoe.vcf", CARD).status == ContactImport.Status.READY


def latest_pk(owner) -> int:
    return ContactImport.objects.filter(owner=owner).latest("pk").pk


# ---------- Exports per hour ----------


def test_exports_past_the_hourly_limit_are_refused_keeping_the_choices(
    alice, alice_client, settings
):
    settings.RAPPORT_EXPORTS_PER_HOUR = 2
    family = LabelFactory(owner=alice, name="Family")
    ContactFactory(owner=alice, given_name="Zoe", labels=[family])
    for _index in range(2):
        response = alice_client.post(EXPORT, {"scope": "all", "format": "vcard3"})
        assert response.status_code == 200
        b"".join(response.streaming_content)
    refused = alice_client.post(
        EXPORT, {"scope": "label", "label": family.pk, "format": "csv"}
    )
    assert refused.status_code == 429
    assert not refused.streaming
    page = refused.content.decode()
    assert "You can download 2 exports an hour. Try again in" in page
    assert 'role="alert"' in page
    # What the member chose is still chosen.
    assert 'name="scope" value="label" id="scope-label" checked' in page
    assert f'<option value="{family.pk}" selected>' in page
    assert 'name="format" value="csv" checked' in page


def test_the_connections_export_counts_too(alice, alice_client, settings):
    settings.RAPPORT_EXPORTS_PER_HOUR = 1
    first = alice_client.post(EXPORT, {"scope": "connections", "format": "vcard3"})
    assert first.status_code == 200
    b"".join(first.streaming_content)
    again = alice_client.post(EXPORT, {"scope": "connections", "format": "vcard3"})
    assert again.status_code == 429


def test_one_contacts_card_is_never_refused(alice, alice_client, settings):
    settings.RAPPORT_EXPORTS_PER_HOUR = 1
    zoe = ContactFactory(owner=alice, given_name="Zoe")
    for _index in range(3):
        response = alice_client.get(
            EXPORT, {"scope": "selection", "contact": zoe.pk, "format": "vcard3"}
        )
        assert response.status_code == 200
        assert b"Zoe" in b"".join(response.streaming_content)
    # Nor counted: the whole book can still be exported.
    assert (
        alice_client.post(EXPORT, {"scope": "all", "format": "csv"}).status_code == 200
    )


def test_a_link_to_an_export_shows_the_form_and_spends_nothing(
    alice, alice_client, settings
):
    # Exports count against the hour, so only the form's POST makes one; a
    # link (from another site, say) opens the form with its choices.
    settings.RAPPORT_EXPORTS_PER_HOUR = 1
    family = LabelFactory(owner=alice, name="Family")
    for params in (
        {"scope": "all", "format": "csv"},
        {"scope": "label", "label": family.pk, "format": "csv"},
        {"scope": "connections", "format": "vcard4"},
    ):
        followed = alice_client.get(EXPORT, params, follow=True)
        assert followed.redirect_chain[0][1] == 302
        assert followed.request["PATH_INFO"] == reverse("contacts:export")
        assert not followed.streaming
        page = followed.content.decode()
        assert f'name="format" value="{params["format"]}" checked' in page
        if "label" in params:
            assert 'name="scope" value="label" id="scope-label" checked' in page
            assert f'<option value="{family.pk}" selected>' in page
    assert (
        alice_client.post(EXPORT, {"scope": "all", "format": "vcard3"}).status_code
        == 200
    )


def test_an_invalid_export_request_is_not_counted(alice, alice_client, settings):
    settings.RAPPORT_EXPORTS_PER_HOUR = 1
    bad = alice_client.post(EXPORT, {"scope": "label", "format": "vcard3"})
    assert bad.status_code == 400
    assert (
        alice_client.post(EXPORT, {"scope": "all", "format": "vcard3"}).status_code
        == 200
    )
    assert Contact.objects.filter(owner=alice).count() == 0


# ---------- Races (PostgreSQL only: SQLite serialises writers) ----------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_uploads_at_the_same_moment_never_pass_the_files_waiting(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs real row locks")
    settings.RAPPORT_IMPORTS_WAITING_MAX = 2
    owner = UserFactory()
    results = race(
        *[
            lambda n=n: import_upload(
                owner=owner, file_name=f"racer-{n}.vcf", data=CARD
            )
            for n in range(4)
        ]
    )
    assert ContactImport.objects.filter(owner=owner).count() == 2
    refusals = [result for result in results if isinstance(result, Exception)]
    assert [refusal.code for refusal in refusals] == ["waiting", "waiting"]
