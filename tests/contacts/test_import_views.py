"""Import and Export pages: every step, htmx and plain, strangers, query budgets."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, ContactImport, Label
from contacts.services.imports import import_upload
from tests.conftest import HTMX, visible_text
from tests.factories import ContactFactory, LabelFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


def upload(run, client, name, data=None):
    content = (DATA / name).read_bytes() if data is None else data
    return run(
        client.post,
        reverse("contacts:import"),
        {"file": SimpleUploadedFile(name, content)},
    )


def latest(owner) -> ContactImport:
    return ContactImport.objects.filter(owner=owner).latest("pk")


# ---------- Upload ----------


def test_import_page_shows_the_form_and_recent_imports(alice, alice_client, run):
    upload(run, alice_client, "google_3.vcf")
    response = alice_client.get(reverse("contacts:import"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "google_3.vcf" in page
    assert "Ready to import" in page


def test_the_same_file_sent_twice_by_one_form_is_one_import(alice, alice_client, run):
    page = alice_client.get(reverse("contacts:import")).content.decode()
    token = re.search(r'name="client_token" value="([^"]+)"', page).group(1)
    again = alice_client.get(reverse("contacts:import")).content.decode()
    assert token not in again

    def send(name="google_3.vcf"):
        return run(
            alice_client.post,
            reverse("contacts:import"),
            {
                "file": SimpleUploadedFile(name, (DATA / name).read_bytes()),
                "client_token": token,
            },
        )

    first, second = send(), send()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert ContactImport.objects.filter(owner=alice).count() == 1
    # Another file from the same form (after going back) is another import.
    third = send("apple_3.vcf")
    assert third["Location"] != first["Location"]
    assert ContactImport.objects.filter(owner=alice).count() == 2


def test_a_token_is_one_members_own(alice, bob, run):
    data = (DATA / "google_3.vcf").read_bytes()
    mine = run(
        import_upload,
        owner=alice,
        file_name="a.vcf",
        data=data,
        client_token="tok-1234",
    )
    theirs = run(
        import_upload, owner=bob, file_name="a.vcf", data=data, client_token="tok-1234"
    )
    assert mine.pk != theirs.pk
    assert theirs.owner == bob


def test_uploading_a_vcard_leads_to_its_preview(alice, alice_client, run):
    response = upload(run, alice_client, "apple_3.vcf")
    batch = latest(alice)
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:import_detail", args=[batch.pk])
    page = alice_client.get(response["Location"]).content.decode()
    assert "Review before importing" in page
    assert (
        "line 47: birthday “1990-02-29” was not understood; kept in the notes" in page
    )
    assert Contact.objects.filter(owner=alice).count() == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.vcf", "The file is empty."),
        ("whitespace_only.vcf", "The file is empty."),
        ("binary.vcf", "This is not a text file"),
        ("nul_bytes.vcf", "This is not a text file"),
        ("no_vcard.vcf", "This file has no vCard in it"),
        ("unknown.txt", "This is neither a vCard nor a CSV file"),
        # Refused at once, not after its columns were chosen for nothing.
        ("header_only.csv", "This file has a header but no rows of contacts."),
        ("unclosed_quote.csv", "opens a value that is never closed"),
    ],
)
def test_a_file_that_is_no_address_book_is_refused_on_the_form(
    alice, alice_client, run, name, message
):
    response = upload(run, alice_client, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    # The page comes back with the focus on the field, which the error
    # describes, so that it is read out, not left at the top of the page.
    assert re.search(
        r"<input type=\"file\"[^>]* autofocus[ >]", response.content.decode()
    )
    assert not ContactImport.objects.filter(owner=alice).exists()


def test_a_file_over_the_size_limit_is_refused_before_reading(
    alice, alice_client, run, settings
):
    settings.RAPPORT_IMPORT_MAX_BYTES = 1000
    response = upload(run, alice_client, "huge_line.vcf")
    assert response.status_code == 400
    assert "files up to" in response.content.decode()
    assert not ContactImport.objects.exists()


def test_a_file_with_too_many_cards_fails_with_the_limit(
    alice, alice_client, run, settings
):
    settings.RAPPORT_IMPORT_MAX_CONTACTS = 1
    upload(run, alice_client, "google_3.vcf")
    batch = latest(alice)
    assert batch.status == ContactImport.Status.FAILED
    assert "more than 1 contacts" in batch.error
    page = alice_client.get(reverse("contacts:import_detail", args=[batch.pk]))
    assert "Nothing was imported" in page.content.decode()
    assert "Your address book was not changed." in page.content.decode()


def test_a_file_whose_cards_are_all_broken_fails_with_the_first_reason(
    alice, alice_client, run
):
    content = b"BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:nothing else\r\nEND:VCARD\r\n"
    upload(run, alice_client, "broken.vcf", content)
    batch = latest(alice)
    assert batch.status == ContactImport.Status.FAILED
    assert "line 1: no name, organization, email or phone number" in batch.error


# ---------- CSV columns ----------


def test_a_generic_csv_asks_for_its_columns_with_a_guess(alice, alice_client, run):
    response = upload(run, alice_client, "generic.csv")
    batch = latest(alice)
    assert batch.status == ContactImport.Status.MAPPING
    page = alice_client.get(response["Location"]).content.decode()
    assert "Choose what each column holds" in page
    assert "Ada Lovelace" in page  # sample values
    assert '<option value="email:other" selected>' in page


def test_the_columns_step_writes_apostrophes_as_the_site_does(alice, alice_client, run):
    response = upload(run, alice_client, "generic.csv")
    text = visible_text(alice_client.get(response["Location"]).content.decode())
    assert "columns set to “Don’t import” are left out" in text
    assert "Don’t import" in text.replace("columns set to “Don’t import”", "")
    assert "'" not in text


def test_choosing_columns_reads_the_file_with_them(alice, alice_client, run):
    upload(run, alice_client, "generic.csv")
    batch = latest(alice)
    mapping = {f"column_{index}": "" for index in range(len(batch.columns))}
    mapping["column_0"] = "display_name"
    mapping["column_1"] = "email:work"
    response = run(
        alice_client.post, reverse("contacts:import_columns", args=[batch.pk]), mapping
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ContactImport.Status.READY
    assert batch.new_count == 2


def test_columns_without_a_name_or_email_are_refused_htmx_and_plain(
    alice, alice_client, run
):
    upload(run, alice_client, "generic.csv")
    batch = latest(alice)
    url = reverse("contacts:import_columns", args=[batch.pk])
    nothing = {f"column_{index}": "" for index in range(len(batch.columns))}
    plain = run(alice_client.post, url, nothing)
    assert plain.status_code == 400
    assert "Choose at least one column" in plain.content.decode()
    alert = '<div class="form-errors" role="alert" tabindex="-1" autofocus>'
    assert alert in plain.content.decode()
    htmx = run(alice_client.post, url, nothing, **HTMX)
    assert htmx.status_code == 422
    assert 'id="import-mapping"' in htmx.content.decode()
    assert alert in htmx.content.decode()
    assert "<html" not in htmx.content.decode()
    batch.refresh_from_db()
    assert batch.status == ContactImport.Status.MAPPING


def test_outlooks_columns_name_its_own_targets_and_fold_the_empty_ones(
    alice, alice_client, run
):
    upload(run, alice_client, "outlook.csv")
    batch = latest(alice)
    page = alice_client.get(
        reverse("contacts:import_columns", args=[batch.pk])
    ).content.decode()
    assert (
        '<option value="phone:custom=Work fax" selected>Phone (Work fax)</option>'
        in (page)
    )
    assert "phone:custom=Work fax</option>" not in page
    empty = sum(1 for column in batch.columns if not column["samples"])
    assert empty > 40
    assert f"{empty} columns are empty in the first rows" in page
    # Folded, they are still in the form: choosing columns keeps their guess.
    folded = page.split("columns are empty in the first rows")[1]
    assert '<label for="id_column_15">Home Street</label>' in folded


def test_google_and_outlook_csv_need_no_columns(alice, alice_client, run):
    upload(run, alice_client, "google.csv")
    assert latest(alice).status == ContactImport.Status.READY
    upload(run, alice_client, "outlook.csv")
    batch = latest(alice)
    assert batch.status == ContactImport.Status.READY
    assert batch.encoding == "Windows-1252 (the file is not UTF-8)"


# ---------- Preview, confirm ----------


def test_preview_counts_new_duplicate_and_unreadable_cards(alice, alice_client, run):
    ContactFactory(owner=alice, emails=["zoe@home.example"])
    upload(run, alice_client, "google.csv")
    batch = latest(alice)
    assert (batch.new_count, batch.duplicate_count, batch.problem_count) == (2, 1, 1)
    page = alice_client.get(reverse("contacts:import_detail", args=[batch.pk]))
    text = page.content.decode()
    assert "look like contacts you have" in text or "looks like a contact" in text
    assert "line 9: no name, organization, email or phone number" in text
    assert 'name="on_duplicate" value="merge"' in text


def test_preview_shows_which_cards_look_like_which_contacts(
    alice, bob, alice_client, run
):
    zoe = ContactFactory(
        owner=alice, display_name="Zoé L.", emails=["zoe@home.example"]
    )
    upload(run, alice_client, "google.csv")
    batch = latest(alice)
    text = alice_client.get(
        reverse("contacts:import_detail", args=[batch.pk])
    ).content.decode()
    assert "Which card?" in text
    link = f'<a href="{zoe.get_absolute_url()}">Zoé L.</a>'
    assert "line 2: “Dr. Zoë Lefèvre”" in text
    assert f"— looks like {link}" in text
    # A contact gone to the Trash since is no longer named.
    zoe.deleted_at = zoe.created
    zoe.save(update_fields=["deleted_at"])
    text = alice_client.get(
        reverse("contacts:import_detail", args=[batch.pk])
    ).content.decode()
    assert "— looks like" not in text
    assert "line 2: “Dr. Zoë Lefèvre”" in text


@pytest.mark.parametrize(
    ("phones", "count", "shown", "not_shown"),
    [
        (
            [],
            1,
            [
                "What should happen to it?",
                "Skip it</strong>",
                "Add its details to the existing contact</strong>",
                "You can merge it later on the Duplicates page.",
            ],
            "Skip them",
        ),
        (
            ["+34 612 34 56 78"],
            2,
            [
                "What should happen to them?",
                "Skip them</strong>",
                "Import them anyway, as new contacts</strong>",
                "Your contacts stay as they are.",
            ],
            "Skip it<",
        ),
    ],
)
def test_the_duplicate_choices_speak_of_one_card_or_several(
    alice, alice_client, run, phones, count, shown, not_shown
):
    ContactFactory(owner=alice, emails=["zoe@home.example"])
    if phones:
        ContactFactory(owner=alice, phones=phones)
    upload(run, alice_client, "google.csv")
    batch = latest(alice)
    assert batch.duplicate_count == count
    text = alice_client.get(
        reverse("contacts:import_detail", args=[batch.pk])
    ).content.decode()
    for words in shown:
        assert words in text
    assert not_shown not in text


def test_preview_lists_the_first_unreadable_cards_and_counts_the_rest(
    alice, alice_client, run
):
    nameless = "BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:who?\r\nEND:VCARD\r\n"
    named = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë Martin\r\nEND:VCARD\r\n"
    upload(run, alice_client, "many.vcf", (named + nameless * 1_250).encode())
    batch = latest(alice)
    assert (batch.new_count, batch.problem_count) == (1, 1_250)
    text = alice_client.get(
        reverse("contacts:import_detail", args=[batch.pk])
    ).content.decode()
    assert "1,250 cards cannot be read" in text
    assert text.count("no name, organization, email or phone number") == 200
    assert "…and 1,050 more cards that cannot be read." in text
    # All listed: nothing more to count.
    upload(run, alice_client, "google.csv")
    text = alice_client.get(
        reverse("contacts:import_detail", args=[latest(alice).pk])
    ).content.decode()
    assert "line 9: no name" in text
    assert "more cards that cannot be read" not in text
    assert "more card that cannot be read" not in text


def test_confirming_imports_and_shows_the_outcome(alice, alice_client, run):
    upload(run, alice_client, "google_3.vcf")
    batch = latest(alice)
    response = run(
        alice_client.post,
        reverse("contacts:import_confirm", args=[batch.pk]),
        {"on_duplicate": "skip"},
    )
    assert response.status_code == 302
    page = alice_client.get(response["Location"]).content.decode()
    assert "3 contacts were added to your address book." in page
    assert "Undo import" in page
    assert Contact.objects.filter(owner=alice).count() == 3


def test_confirming_with_htmx_redirects_the_whole_page(alice, alice_client, run):
    upload(run, alice_client, "google_3.vcf")
    batch = latest(alice)
    response = run(
        alice_client.post,
        reverse("contacts:import_confirm", args=[batch.pk]),
        {"on_duplicate": "add"},
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("contacts:import_detail", args=[batch.pk])


def test_a_bad_duplicate_choice_is_refused_htmx_and_plain(alice, alice_client, run):
    upload(run, alice_client, "google_3.vcf")
    batch = latest(alice)
    url = reverse("contacts:import_confirm", args=[batch.pk])
    assert run(alice_client.post, url, {"on_duplicate": "eat"}).status_code == 400
    htmx = run(alice_client.post, url, {"on_duplicate": "eat"}, **HTMX)
    assert htmx.status_code == 422
    assert 'id="import-preview"' in htmx.content.decode()
    batch.refresh_from_db()
    assert batch.status == ContactImport.Status.READY


def test_confirming_past_the_contacts_limit_is_refused_with_the_numbers(
    alice, alice_client, run, settings
):
    settings.RAPPORT_CONTACTS_MAX = 2
    upload(run, alice_client, "google_3.vcf")
    batch = latest(alice)
    page = alice_client.get(reverse("contacts:import_detail", args=[batch.pk]))
    assert "you have room for 2 more" in page.content.decode()
    response = run(
        alice_client.post,
        reverse("contacts:import_confirm", args=[batch.pk]),
        {"on_duplicate": "skip"},
    )
    assert response.status_code == 400
    assert "This would add 3 contacts" in response.content.decode()
    assert Contact.objects.filter(owner=alice).count() == 0


def test_discarding_a_preview_forgets_it(alice, alice_client, run):
    upload(run, alice_client, "google_3.vcf")
    batch = latest(alice)
    response = alice_client.post(reverse("contacts:import_discard", args=[batch.pk]))
    assert response.status_code == 302
    assert not ContactImport.objects.filter(pk=batch.pk).exists()


# ---------- Progress ----------


def test_progress_polls_return_the_bar_while_working(alice, alice_client):
    batch = ContactImport.objects.create(
        owner=alice,
        file_name="big.vcf",
        file_size=10,
        status=ContactImport.Status.READING,
        total=25_000,
        progress=5_000,
    )
    url = reverse("contacts:import_progress", args=[batch.pk])
    response = alice_client.get(url, **HTMX)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'hx-trigger="every 1s"' in text
    assert '<progress max="25000" value="5000"' in text
    assert "5,000 of 25,000 cards" in text


def test_progress_refreshes_the_page_once_done_and_redirects_without_htmx(
    alice, alice_client
):
    batch = ContactImport.objects.create(
        owner=alice, file_name="x.vcf", file_size=10, status=ContactImport.Status.READY
    )
    url = reverse("contacts:import_progress", args=[batch.pk])
    assert alice_client.get(url, **HTMX)["HX-Refresh"] == "true"
    plain = alice_client.get(url)
    assert plain.status_code == 302


def test_the_working_page_refreshes_itself_without_javascript(alice, alice_client):
    batch = ContactImport.objects.create(
        owner=alice,
        file_name="x.vcf",
        file_size=10,
        status=ContactImport.Status.IMPORTING,
        total=300,
    )
    page = alice_client.get(reverse("contacts:import_detail", args=[batch.pk]))
    text = page.content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in text
    assert "Saving 300 contacts" in text


def test_work_that_stopped_shows_as_stopped_instead_of_polling_on(
    alice, alice_client, capsys
):
    long_ago = timezone.now() - timezone.timedelta(hours=2)
    common = {"owner": alice, "file_size": 10, "total": 300, "started": long_ago}
    saving = ContactImport.objects.create(
        file_name="saving.vcf", status="importing", **common
    )
    poll = reverse("contacts:import_progress", args=[saving.pk])
    assert alice_client.get(poll, **HTMX)["HX-Refresh"] == "true"
    page = alice_client.get(reverse("contacts:import_detail", args=[saving.pk]))
    text = page.content.decode()
    assert "Nothing was imported" in text
    assert "The import stopped before it finished; nothing was imported." in text
    assert "http-equiv" not in text

    undoing = ContactImport.objects.create(
        file_name="undoing.vcf", status="undoing", finished=long_ago, **common
    )
    page = alice_client.get(reverse("contacts:import_detail", args=[undoing.pk]))
    text = page.content.decode()
    assert "Import done" in text
    assert "Undoing the import stopped before it finished; nothing was undone." in text
    assert "Undo import" in text
    # The daily command ends work that stopped for every member.
    ContactImport.objects.filter(pk=undoing.pk).update(status="undoing")
    call_command("purge_stale_imports")
    assert "Ended 1 import(s) whose work had stopped." in capsys.readouterr().out
    assert ContactImport.objects.get(pk=undoing.pk).status == "done"


def test_a_progress_poll_costs_three_queries(
    alice, alice_client, django_assert_max_num_queries
):
    batch = ContactImport.objects.create(
        owner=alice, file_name="x.vcf", file_size=10, status="reading", total=9
    )
    url = reverse("contacts:import_progress", args=[batch.pk])
    alice_client.get(url, **HTMX)
    with django_assert_max_num_queries(3):
        alice_client.get(url, **HTMX)


# ---------- Undo ----------


def test_undo_asks_first_then_removes_the_import(alice, alice_client, run):
    upload(run, alice_client, "google_3.vcf")
    batch = latest(alice)
    run(
        alice_client.post,
        reverse("contacts:import_confirm", args=[batch.pk]),
        {"on_duplicate": "skip"},
    )
    url = reverse("contacts:import_undo", args=[batch.pk])
    dialog = alice_client.get(url, **HTMX)
    assert 'class="dialog-backdrop"' in dialog.content.decode()
    assert (
        "The 3 contacts it added will be deleted for good." in dialog.content.decode()
    )
    page = alice_client.get(url)
    assert "<html" in page.content.decode()
    response = run(alice_client.post, url)
    assert response.status_code == 302
    assert Contact.objects.filter(owner=alice).count() == 0
    text = alice_client.get(response["Location"]).content.decode()
    assert "This import was undone" in text


def imported(run, client, owner, name="google_3.vcf"):
    upload(run, client, name)
    batch = latest(owner)
    run(
        client.post,
        reverse("contacts:import_confirm", args=[batch.pk]),
        {"on_duplicate": "skip"},
    )
    batch.refresh_from_db()
    return batch


def undo_dialog(client, batch) -> str:
    url = reverse("contacts:import_undo", args=[batch.pk])
    return client.get(url, **HTMX).content.decode()


def test_undo_names_the_labels_made_for_the_files_groups_that_go_too(
    alice, alice_client, run
):
    batch = imported(run, alice_client, alice)
    text = undo_dialog(alice_client, batch)
    assert (
        "The labels “Book club” and “Familia” it created for the file’s groups "
        "go too, as no other contact has them." in text
    )
    # The plain confirm page says the same.
    page = alice_client.get(reverse("contacts:import_undo", args=[batch.pk]))
    assert "“Book club” and “Familia”" in page.content.decode()


def test_undo_leaves_out_a_label_another_contact_has(alice, alice_client, run):
    batch = imported(run, alice_client, alice)
    ContactFactory(owner=alice, labels=[Label.objects.get(owner=alice, name="Familia")])
    text = undo_dialog(alice_client, batch)
    assert (
        "The label “Book club” it created for the file’s groups goes too, "
        "as no other contact has it." in text
    )
    assert "Familia" not in text


def test_undo_says_nothing_of_labels_when_none_go(alice, alice_client, run):
    batch = imported(run, alice_client, alice)
    mine = ContactFactory(owner=alice)
    for label in Label.objects.filter(pk__in=batch.labels_created):
        mine.label_links.create(label=label)
    assert batch.labels_created
    text = undo_dialog(alice_client, batch)
    assert "it created for the file’s groups" not in text
    assert "Book club" not in text


def test_undo_counts_the_labels_that_go_when_they_are_many(alice, alice_client):
    labels = [LabelFactory(owner=alice, name=f"Group {n}") for n in range(4)]
    batch = ContactImport.objects.create(
        owner=alice,
        file_name="alice.csv",
        file_size=10,
        file_format="csv",
        status=ContactImport.Status.DONE,
        finished=timezone.now(),
        labels_created=[label.pk for label in labels],
    )
    text = undo_dialog(alice_client, batch)
    assert (
        "The 4 labels it created for the file’s groups go too, "
        "as no other contact has them." in text
    )
    assert "Group 1" not in text


# ---------- Strangers ----------


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("contacts:import_detail", "get"),
        ("contacts:import_progress", "get"),
        ("contacts:import_columns", "get"),
        ("contacts:import_columns", "post"),
        ("contacts:import_confirm", "post"),
        ("contacts:import_undo", "get"),
        ("contacts:import_undo", "post"),
        ("contacts:import_discard", "post"),
    ],
)
def test_another_member_gets_404_for_an_import(alice, bob_client, run, name, method):
    batch = ContactImport.objects.create(
        owner=alice,
        file_name="alice.csv",
        file_size=10,
        file_format="csv",
        status=ContactImport.Status.DONE,
        finished="2026-11-26T10:00:00Z",
    )
    url = reverse(name, args=[batch.pk])
    response = run(getattr(bob_client, method), url, **HTMX)
    assert response.status_code == 404
    batch.refresh_from_db()
    assert batch.status == ContactImport.Status.DONE


def test_signed_out_visitors_are_sent_to_sign_in(client, alice):
    batch = ContactImport.objects.create(owner=alice, file_name="x", file_size=1)
    for url in (
        reverse("contacts:import"),
        reverse("contacts:import_detail", args=[batch.pk]),
        reverse("contacts:export"),
        reverse("contacts:export_download"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


# ---------- Query budgets ----------


def test_import_page_costs_the_same_with_ten_or_forty_imports(
    alice, alice_client, django_assert_max_num_queries
):
    def make(count, status=ContactImport.Status.DONE):
        for _index in range(count):
            ContactImport.objects.create(
                owner=alice,
                file_name="f.vcf",
                file_size=1,
                status=status,
                finished=timezone.now(),
            )

    make(4, ContactImport.Status.READY)
    make(10)
    alice_client.get(reverse("contacts:import"))
    # The latest ten, then the older ones still waiting.
    with django_assert_max_num_queries(6) as few:
        alice_client.get(reverse("contacts:import"))
    make(30)
    make(1, ContactImport.Status.FAILED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        alice_client.get(reverse("contacts:import"))


def test_preview_page_costs_a_fixed_number_of_queries(
    alice, alice_client, run, django_assert_max_num_queries
):
    upload(run, alice_client, "google_3.vcf")
    url = reverse("contacts:import_detail", args=[latest(alice).pk])
    alice_client.get(url)
    # One of them reads the names the import's own label must not take.
    with django_assert_max_num_queries(7):
        alice_client.get(url)


def test_preview_names_the_label_the_import_will_really_get(alice, alice_client, run):
    # An earlier import of the day has the plain name (in another case, too).
    LabelFactory(owner=alice, name=f"imported {timezone.localdate():%Y-%m-%d}")
    upload(run, alice_client, "google_3.vcf")
    batch = latest(alice)
    name = f"Imported {timezone.localdate():%Y-%m-%d} (2)"
    page = alice_client.get(
        reverse("contacts:import_detail", args=[batch.pk])
    ).content.decode()
    assert f"gets the label “{name}”" in page
    run(
        alice_client.post,
        reverse("contacts:import_confirm", args=[batch.pk]),
        {"on_duplicate": "skip"},
    )
    batch.refresh_from_db()
    assert batch.label.name == name
