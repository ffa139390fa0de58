"""Contact photos: setting, serving only to the owner, import, export, merge."""

import base64
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from connections.photos import photo_image
from contacts.csv_formats import GOOGLE, guess_target, mapping_for, valid_targets
from contacts.models import Contact, ContactImport, ContactPhoto
from contacts.selectors.transfer import contacts_to_export, export_stream
from contacts.services.contacts import ContactData, contact_create
from contacts.services.duplicates import contacts_merge, differing_fields
from contacts.services.imports import (
    import_confirm,
    import_set_mapping,
    import_undo_start,
    import_upload,
)
from contacts.services.photos import (
    contact_photo_copy,
    contact_photo_remove,
    contact_photo_set,
    photo_pictures,
)
from contacts.services.trash import contact_trash
from tests.conftest import HTMX
from tests.contacts.test_views import editor_data
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def picture(fmt="PNG", size=(300, 200), colour=(200, 30, 60), mode="RGB") -> bytes:
    image = Image.new(mode, size, colour)
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def upload(data: bytes, name="photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def decoded(data) -> Image.Image:
    image = Image.open(io.BytesIO(bytes(data)))
    image.load()
    return image


def centre(data) -> tuple:
    image = decoded(data).convert("RGB")
    return image.getpixel((image.width // 2, image.height // 2))


def close(one: tuple, other: tuple, by: int = 12) -> bool:
    return all(abs(a - b) <= by for a, b in zip(one, other, strict=True))


@pytest.fixture
def chloe(alice):
    return ContactFactory(owner=alice, given_name="Chloé", family_name="Müller")


# ---------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------


class TestSetAndRemove:
    def test_a_picture_becomes_two_square_jpegs_without_metadata(self, chloe):
        contact = contact_photo_set(contact=chloe, upload=upload(picture()))
        assert len(contact.photo_key) == 16
        photo = ContactPhoto.objects.get(contact=chloe)
        small, large = decoded(photo.small), decoded(photo.large)
        assert (small.format, small.size) == ("JPEG", (96, 96))
        assert (large.format, large.size) == ("JPEG", (256, 256))
        assert not large.info.get("exif")
        assert close(centre(photo.large), (200, 30, 60))

    def test_a_large_jpeg_is_read_at_a_fraction_of_its_size(self, chloe):
        data = picture("JPEG", size=(3200, 2400), colour=(10, 120, 200))
        assert photo_image(data).size == (1600, 1200)
        contact_photo_set(contact=chloe, upload=upload(data, "big.jpg"))
        large = ContactPhoto.objects.get(contact=chloe).large
        assert decoded(large).size == (256, 256)
        assert close(centre(large), (10, 120, 200))

    def test_a_transparent_picture_gets_a_white_background(self, chloe):
        data = picture(size=(64, 64), colour=(0, 0, 0, 0), mode="RGBA")
        contact_photo_set(contact=chloe, upload=upload(data))
        assert close(centre(ContactPhoto.objects.get(contact=chloe).small), (255,) * 3)

    def test_a_new_picture_replaces_the_old_under_a_new_key(self, chloe):
        first = contact_photo_set(contact=chloe, upload=upload(picture())).photo_key
        second = contact_photo_set(
            contact=chloe, upload=upload(picture(colour=(10, 200, 10)))
        ).photo_key
        assert first != second
        assert ContactPhoto.objects.filter(contact=chloe).count() == 1
        assert close(
            centre(ContactPhoto.objects.get(contact=chloe).large), (10, 200, 10)
        )
        chloe.refresh_from_db()
        assert chloe.photo_key == second

    def test_setting_a_photo_is_an_edit(self, chloe):
        before = chloe.updated
        contact_photo_set(contact=chloe, upload=upload(picture()))
        chloe.refresh_from_db()
        assert chloe.updated > before

    @pytest.mark.parametrize(
        ("data", "code"),
        [
            (b"just some text", "not_image"),
            (b"", "not_image"),
            (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not_image"),
            (picture(size=(20, 200)), "too_small"),
            (picture(fmt="BMP"), "not_image"),
        ],
    )
    def test_what_is_not_a_usable_picture_is_refused_and_nothing_changes(
        self, chloe, data, code
    ):
        contact_photo_set(contact=chloe, upload=upload(picture()))
        chloe.refresh_from_db()
        key = chloe.photo_key
        with pytest.raises(ValidationError) as error:
            contact_photo_set(contact=chloe, upload=upload(data))
        assert error.value.code == code
        chloe.refresh_from_db()
        assert chloe.photo_key == key
        assert close(
            centre(ContactPhoto.objects.get(contact=chloe).large), (200, 30, 60)
        )

    def test_a_picture_over_the_size_limit_is_refused(self, chloe, settings):
        settings.RAPPORT_PROFILE_PHOTO_MAX_BYTES = 1000
        with pytest.raises(ValidationError) as error:
            contact_photo_set(contact=chloe, upload=upload(picture(size=(600, 600))))
        assert error.value.code == "too_big"
        assert not ContactPhoto.objects.exists()

    def test_a_contact_in_the_trash_is_not_changed(self, chloe):
        contact_trash(contact=chloe)
        with pytest.raises(ValidationError) as error:
            contact_photo_set(contact=chloe, upload=upload(picture()))
        assert error.value.code == "trashed"
        with pytest.raises(ValidationError):
            contact_photo_remove(contact=chloe)
        assert not ContactPhoto.objects.exists()

    def test_removing_takes_the_picture_away_and_twice_is_harmless(self, chloe):
        contact_photo_set(contact=chloe, upload=upload(picture()))
        assert contact_photo_remove(contact=chloe).photo_key == ""
        assert contact_photo_remove(contact=chloe).photo_key == ""
        chloe.refresh_from_db()
        assert chloe.photo_key == ""
        assert not ContactPhoto.objects.exists()

    def test_the_pictures_go_with_the_contact_and_with_the_account(self, alice, chloe):
        contact_photo_set(contact=chloe, upload=upload(picture()))
        other = ContactFactory(owner=alice, given_name="Zoé")
        contact_photo_set(contact=other, upload=upload(picture()))
        Contact.objects.filter(pk=chloe.pk).delete()
        assert list(ContactPhoto.objects.values_list("contact", flat=True)) == [
            other.pk
        ]
        alice.delete()
        assert not ContactPhoto.objects.exists()

    def test_copying_gives_the_target_the_same_picture_under_its_own_key(
        self, alice, chloe
    ):
        contact_photo_set(contact=chloe, upload=upload(picture()))
        chloe.refresh_from_db()
        other = ContactFactory(owner=alice, given_name="Zoé")
        contact_photo_copy(source=chloe, target=other)
        other.refresh_from_db()
        assert other.photo_key
        assert other.photo_key != chloe.photo_key
        assert bytes(ContactPhoto.objects.get(contact=other).large) == bytes(
            ContactPhoto.objects.get(contact=chloe).large
        )


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------


class TestWithANewContact:
    """A photo chosen on the Add contact form, saved with the contact."""

    def test_the_service_saves_the_pictures_with_the_card_or_nothing(
        self, alice, settings
    ):
        pictures = photo_pictures(photo_image(picture()))
        data = ContactData(given_name="Dara", photo=pictures)
        dara = contact_create(owner=alice, data=data)
        assert len(dara.photo_key) == 16
        assert bytes(ContactPhoto.objects.get(contact=dara).large) == pictures["large"]
        settings.RAPPORT_CONTACTS_MAX = 1
        with pytest.raises(ValidationError):
            contact_create(
                owner=alice, data=ContactData(given_name="Eve", photo=pictures)
            )
        assert ContactPhoto.objects.count() == 1

    def test_the_add_form_saves_the_photo_with_the_contact(self, alice, alice_client):
        page = alice_client.get(reverse("contacts:add")).content.decode()
        assert 'enctype="multipart/form-data"' in page
        assert 'type="file" name="photo"' in page
        response = alice_client.post(
            reverse("contacts:add"), {**editor_data(), "photo": upload(picture())}
        )
        contact = Contact.objects.get(owner=alice)
        assert response["Location"] == contact.get_absolute_url()
        assert len(contact.photo_key) == 16
        assert decoded(contact.photo.large).size == (256, 256)
        assert close(centre(contact.photo.small), (200, 30, 60))
        html = alice_client.get(contact.get_absolute_url()).content.decode()
        assert f'src="{photo_url(contact)}"' in html

    def test_with_htmx_too(self, alice, alice_client):
        response = alice_client.post(
            reverse("contacts:add"),
            {**editor_data(), "photo": upload(picture("JPEG"), "me.jpg")},
            **HTMX,
        )
        contact = Contact.objects.get(owner=alice)
        assert response["HX-Redirect"] == contact.get_absolute_url()
        assert ContactPhoto.objects.filter(contact=contact).exists()

    def test_without_a_photo_the_contact_has_none(self, alice, alice_client):
        alice_client.post(reverse("contacts:add"), editor_data())
        contact = Contact.objects.get(owner=alice)
        assert contact.photo_key == ""
        assert not ContactPhoto.objects.exists()

    def test_a_file_that_is_not_a_picture_keeps_what_was_typed(self, alice_client):
        response = alice_client.post(
            reverse("contacts:add"),
            {**editor_data(notes="Met at the fair"), "photo": upload(b"hello")},
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert not Contact.objects.exists()
        assert "This file is not a picture we can read" in html
        assert 'value="Zoë"' in html
        assert "Met at the fair" in html
        assert 'value="zoe@work.example"' in html
        # The refused file is named by its error, not asked for again.
        assert "Choose the photo again" not in html

    def test_a_photo_too_large_is_left_out_as_it_arrives_and_the_form_kept(
        self, alice_client, settings
    ):
        settings.RAPPORT_PROFILE_PHOTO_MAX_BYTES = 1000
        response = alice_client.post(
            reverse("contacts:add"),
            {**editor_data(notes="Keep me"), "photo": upload(b"x" * 200_000)},
            **HTMX,
        )
        html = response.content.decode()
        assert response.status_code == 422
        assert not Contact.objects.exists()
        assert "The photo is too large: choose a picture of at most" in html
        assert "Keep me" in html
        assert 'value="zoe@example.com"' in html

    def test_another_field_in_error_asks_for_the_photo_again_without_javascript(
        self, alice_client
    ):
        data = {
            **editor_data(**{"emails-0-value": "broken@"}),
            "photo": upload(picture()),
        }
        html = alice_client.post(reverse("contacts:add"), data).content.decode()
        assert not Contact.objects.exists()
        assert "Enter a valid email address." in html
        assert "Choose the photo again" in html
        # With htmx the chosen file stays in its field: nothing to ask.
        data["photo"] = upload(picture())
        html = alice_client.post(reverse("contacts:add"), data, **HTMX).content.decode()
        assert "Enter a valid email address." in html
        assert "Choose the photo again" not in html
        assert 'hx-preserve="true"' in html

    def test_adding_a_row_without_javascript_asks_for_the_photo_again(
        self, alice_client
    ):
        data = {**editor_data(add_row="emails"), "photo": upload(picture())}
        html = alice_client.post(reverse("contacts:add"), data).content.decode()
        assert 'name="emails-2-value"' in html
        assert "Choose the photo again" in html
        assert not Contact.objects.exists()

    def test_a_double_submit_adds_one_contact_and_one_photo(self, alice, alice_client):
        data = editor_data()
        for _twice in range(2):
            alice_client.post(
                reverse("contacts:add"), {**data, "photo": upload(picture())}
            )
        contact = Contact.objects.get(owner=alice)
        assert ContactPhoto.objects.get().contact == contact

    def test_the_form_still_checks_its_csrf_token(self, alice):
        client = Client(enforce_csrf_checks=True)
        client.force_login(alice)
        response = client.post(
            reverse("contacts:add"), {**editor_data(), "photo": upload(picture())}
        )
        assert response.status_code == 403
        assert not Contact.objects.exists()

    def test_editing_has_no_photo_field_and_keeps_the_photo(self, alice_client, chloe):
        contact_photo_set(contact=chloe, upload=upload(picture()))
        chloe.refresh_from_db()
        key = chloe.photo_key
        page = alice_client.get(reverse("contacts:edit", args=[chloe.pk]))
        html = page.content.decode()
        assert 'name="photo"' not in html
        assert 'enctype="multipart/form-data"' not in html
        alice_client.post(
            reverse("contacts:edit", args=[chloe.pk]),
            editor_data(given_name="Chloe", photo=upload(picture(colour=(0, 0, 0)))),
        )
        chloe.refresh_from_db()
        assert chloe.given_name == "Chloe"
        assert chloe.photo_key == key


def photo_url(contact: Contact, size="large") -> str:
    contact.refresh_from_db()
    return reverse("contacts:photo_file", args=[contact.pk, contact.photo_key, size])


class TestPages:
    def test_the_photo_page_uploads_a_picture_without_javascript(
        self, alice_client, chloe
    ):
        page = reverse("contacts:photo", args=[chloe.pk])
        response = alice_client.get(page)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'enctype="multipart/form-data"' in html
        assert "Upload photo" in html
        assert "Remove photo" not in html
        response = alice_client.post(page, {"photo": upload(picture())}, follow=True)
        assert response.redirect_chain[-1][0] == chloe.get_absolute_url()
        html = response.content.decode()
        assert "Chloé Müller’s photo was saved." in html
        assert f'src="{photo_url(chloe)}"' in html
        assert "Change photo" in html

    def test_a_refused_upload_stays_on_the_page_and_says_why(self, alice_client, chloe):
        page = reverse("contacts:photo", args=[chloe.pk])
        response = alice_client.post(
            page, {"photo": SimpleUploadedFile("notes.txt", b"hello")}
        )
        assert response.status_code == 422
        assert "This file is not a picture we can read" in response.content.decode()
        response = alice_client.post(page, {})
        assert response.status_code == 422
        assert "This field is required." in response.content.decode()
        chloe.refresh_from_db()
        assert chloe.photo_key == ""

    def test_a_body_too_large_is_refused_before_it_is_read(
        self, alice_client, chloe, settings
    ):
        settings.RAPPORT_PROFILE_PHOTO_MAX_BYTES = 1000
        response = alice_client.post(
            reverse("contacts:photo", args=[chloe.pk]),
            {"photo": upload(b"x" * 70_000)},
        )
        assert response.status_code == 413
        assert "The photo is too large" in response.content.decode()

    def test_removing_from_the_page(self, alice_client, chloe):
        contact_photo_set(contact=chloe, upload=upload(picture()))
        response = alice_client.post(
            reverse("contacts:photo_remove", args=[chloe.pk]), follow=True
        )
        assert "Chloé Müller’s photo was removed." in response.content.decode()
        chloe.refresh_from_db()
        assert chloe.photo_key == ""

    def test_the_pictures_are_served_to_their_owner_to_keep(self, alice_client, chloe):
        contact_photo_set(contact=chloe, upload=upload(picture()))
        for size, side in (("small", 96), ("large", 256)):
            response = alice_client.get(photo_url(chloe, size))
            assert response.status_code == 200
            assert response["Content-Type"] == "image/jpeg"
            assert response["Cache-Control"] == "private, max-age=31536000, immutable"
            assert decoded(response.content).size == (side, side)

    def test_a_trashed_contacts_picture_still_shows_in_the_trash(
        self, alice_client, chloe
    ):
        contact_photo_set(contact=chloe, upload=upload(picture()))
        url = photo_url(chloe, "small")
        contact_trash(contact=chloe)
        assert alice_client.get(url).status_code == 200
        assert (
            f'src="{url}"'
            in alice_client.get(reverse("contacts:trash")).content.decode()
        )

    def test_strangers_old_keys_and_unknown_sizes_get_404(
        self, alice_client, bob_client, client, chloe
    ):
        contact_photo_set(contact=chloe, upload=upload(picture()))
        url = photo_url(chloe)
        old_key = chloe.photo_key
        assert bob_client.get(url).status_code == 404
        assert client.get(url).status_code in (302, 404)
        assert (
            bob_client.get(reverse("contacts:photo", args=[chloe.pk])).status_code
            == 404
        )
        assert (
            bob_client.post(
                reverse("contacts:photo", args=[chloe.pk]), {"photo": upload(picture())}
            ).status_code
            == 404
        )
        assert (
            bob_client.post(
                reverse("contacts:photo_remove", args=[chloe.pk])
            ).status_code
            == 404
        )
        unknown = reverse("contacts:photo_file", args=[chloe.pk, old_key, "original"])
        assert alice_client.get(unknown).status_code == 404
        contact_photo_set(contact=chloe, upload=upload(picture()))
        assert alice_client.get(url).status_code == 404
        assert ContactPhoto.objects.filter(contact=chloe).exists()

    def test_the_list_shows_photos_in_the_same_number_of_queries(
        self, alice, alice_client, django_assert_max_num_queries
    ):
        contacts = [ContactFactory(owner=alice) for _ in range(5)]
        with django_assert_max_num_queries(12) as plain:
            alice_client.get(reverse("contacts:list"))
        for contact in contacts:
            contact_photo_set(contact=contact, upload=upload(picture()))
        with django_assert_max_num_queries(len(plain.captured_queries)):
            html = alice_client.get(reverse("contacts:list")).content.decode()
        for contact in contacts:
            assert f'src="{photo_url(contact, "small")}"' in html


# ---------------------------------------------------------------------------
# Import and export
# ---------------------------------------------------------------------------


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a service and the work it queues, at once."""

    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = function(**kwargs)
        result.refresh_from_db()
        return result

    return run


def vcard(*properties: str, version="3.0") -> bytes:
    lines = ["BEGIN:VCARD", f"VERSION:{version}", *properties, "END:VCARD", ""]
    return "\r\n".join(lines).encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class TestImport:
    def test_the_preview_says_how_many_cards_bring_a_photo(
        self, alice, alice_client, run
    ):
        data = vcard("FN:Ana Lima", f"PHOTO;ENCODING=b;TYPE=PNG:{b64(picture())}")
        batch = run(import_upload, owner=alice, file_name="lima.vcf", data=data)
        page = alice_client.get(reverse("contacts:import_detail", args=[batch.pk]))
        assert "1 card brings a photo; it becomes the contact’s photo." in (
            page.content.decode()
        )
        batch = run(
            import_upload, owner=alice, file_name="plain.vcf", data=vcard("FN:Bo")
        )
        assert batch.photo_count == 0
        page = alice_client.get(reverse("contacts:import_detail", args=[batch.pk]))
        assert "brings a photo" not in page.content.decode()

    def test_a_cards_picture_is_imported_and_undo_takes_it_away(self, alice, run):
        data = vcard(
            "FN:Ana Lima",
            "N:Lima;Ana;;;",
            f"PHOTO;ENCODING=b;TYPE=JPEG:{b64(picture('JPEG'))}",
        ) + vcard(
            "FN:Bea Lima",
            "N:Lima;Bea;;;",
            f"PHOTO:data:image/png;base64,{b64(picture(colour=(0, 0, 255)))}",
            version="4.0",
        )
        batch = run(import_upload, owner=alice, file_name="lima.vcf", data=data)
        assert batch.status == ContactImport.Status.READY
        assert batch.photo_count == 2
        assert not any("photo" in notice for notice in batch.notices)
        batch = run(import_confirm, batch=batch, on_duplicate="skip")
        assert batch.status == ContactImport.Status.DONE
        bea = Contact.objects.get(owner=alice, given_name="Bea")
        assert bea.photo_key
        assert close(centre(ContactPhoto.objects.get(contact=bea).large), (0, 0, 255))
        assert ContactPhoto.objects.count() == 2
        run(import_undo_start, batch=batch)
        assert not Contact.objects.filter(owner=alice).exists()
        assert not ContactPhoto.objects.exists()

    def test_pictures_by_address_and_second_pictures_are_reported(self, alice, run):
        data = vcard(
            "FN:Ana Lima",
            "PHOTO;VALUE=uri:https://pictures.example/ana.jpg",
        ) + vcard(
            "FN:Bea Lima",
            f"PHOTO;ENCODING=b;TYPE=PNG:{b64(picture())}",
            f"PHOTO;ENCODING=b;TYPE=PNG:{b64(picture(colour=(0, 0, 255)))}",
        )
        batch = run(import_upload, owner=alice, file_name="lima.vcf", data=data)
        notices = " ".join(batch.notices)
        assert "1 card has photos given as web addresses" in notices
        assert "1 card has second photos" in notices
        run(import_confirm, batch=batch, on_duplicate="skip")
        assert not Contact.objects.get(given_name="", shown_name="Ana Lima").photo_key
        bea = Contact.objects.get(shown_name="Bea Lima")
        assert close(centre(ContactPhoto.objects.get(contact=bea).large), (200, 30, 60))

    def test_a_picture_of_too_many_pixels_is_skipped_with_a_notice(self, alice, run):
        # 17 megapixels of one colour: a few kilobytes in the file.
        huge = picture(size=(4250, 4000))
        assert len(huge) < 100_000
        data = vcard("FN:Ana Lima", f"PHOTO;ENCODING=b;TYPE=PNG:{b64(huge)}")
        batch = run(import_upload, owner=alice, file_name="lima.vcf", data=data)
        assert any(
            "photo skipped: more than 16 megapixels" in notice
            for notice in batch.notices
        )
        assert batch.photo_count == 0

    def test_a_picture_in_another_format_is_skipped_with_a_notice(self, alice, run):
        data = vcard("FN:Ana Lima", f"PHOTO;ENCODING=b;TYPE=BMP:{b64(picture('BMP'))}")
        batch = run(import_upload, owner=alice, file_name="lima.vcf", data=data)
        assert any("not a JPEG, PNG, GIF or WebP" in notice for notice in batch.notices)
        run(import_confirm, batch=batch, on_duplicate="skip")
        assert not ContactPhoto.objects.exists()

    def test_merging_adds_a_picture_only_where_there_was_none_and_undo_takes_it_back(
        self, alice, run
    ):
        bare = ContactFactory(owner=alice, given_name="Ana", emails=["ana@x.example"])
        pictured = ContactFactory(
            owner=alice, given_name="Bea", emails=["bea@x.example"]
        )
        contact_photo_set(contact=pictured, upload=upload(picture()))
        pictured.refresh_from_db()
        key = pictured.photo_key
        data = vcard(
            "FN:Ana",
            "EMAIL:ana@x.example",
            f"PHOTO:{'data:image/png;base64,'}{b64(picture(colour=(0, 0, 255)))}",
        ) + vcard(
            "FN:Bea",
            "EMAIL:bea@x.example",
            f"PHOTO;ENCODING=b:{b64(picture(colour=(0, 0, 255)))}",
        )
        batch = run(import_upload, owner=alice, file_name="x.vcf", data=data)
        assert batch.duplicate_count == 2
        batch = run(import_confirm, batch=batch, on_duplicate="merge")
        assert batch.merged_count == 2
        bare.refresh_from_db()
        pictured.refresh_from_db()
        assert bare.photo_key
        assert pictured.photo_key == key
        assert close(centre(ContactPhoto.objects.get(contact=bare).large), (0, 0, 255))
        assert close(
            centre(ContactPhoto.objects.get(contact=pictured).large), (200, 30, 60)
        )
        run(import_undo_start, batch=batch)
        bare.refresh_from_db()
        assert bare.photo_key == ""
        assert list(ContactPhoto.objects.values_list("contact", flat=True)) == [
            pictured.pk
        ]


class TestCsvPhotoColumns:
    def test_a_photo_column_is_recognised_and_its_addresses_are_counted(
        self, alice, run
    ):
        data = (
            b"Name,E-mail,Photo\r\n"
            b"Ana Lima,ana@x.example,https://pictures.example/ana.jpg\r\n"
            b"Bea Lima,bea@x.example,\r\n"
        )
        batch = run(import_upload, owner=alice, file_name="lima.csv", data=data)
        assert batch.mapping == ["display_name", "email:other", "photo"]
        assert "photo" in valid_targets()
        batch = run(import_set_mapping, batch=batch, mapping=batch.mapping)
        assert batch.status == ContactImport.Status.READY
        assert batch.photo_count == 0
        assert (
            "1 card has photos given as web addresses, which contact cards do not "
            "hold; they are not imported." in batch.notices
        )
        run(import_confirm, batch=batch, on_duplicate="skip")
        assert Contact.objects.filter(owner=alice).count() == 2
        assert not ContactPhoto.objects.exists()

    def test_googles_photo_column_is_mapped(self):
        assert guess_target("Photo") == "photo"
        assert mapping_for(["First Name", "Photo"], GOOGLE) == ["given_name", "photo"]


class TestExport:
    @pytest.mark.parametrize(
        ("export_format", "marker"),
        [
            ("vcard3", "PHOTO;ENCODING=b;TYPE=JPEG:"),
            ("vcard4", "PHOTO:data:image/jpeg;base64,"),
        ],
    )
    def test_a_photo_goes_out_in_the_vcard_and_comes_back(
        self, alice, bob, run, chloe, export_format, marker
    ):
        contact_photo_set(contact=chloe, upload=upload(picture(colour=(0, 0, 255))))
        ContactFactory(owner=alice, given_name="Zoé")
        data = b"".join(export_stream(contacts_to_export(owner=alice), export_format))
        text = data.decode()
        assert text.count(marker) == 1
        batch = run(import_upload, owner=bob, file_name="alice.vcf", data=data)
        run(import_confirm, batch=batch, on_duplicate="skip")
        back = Contact.objects.get(owner=bob, given_name="Chloé")
        assert back.photo_key
        assert close(centre(ContactPhoto.objects.get(contact=back).large), (0, 0, 255))
        assert not Contact.objects.get(owner=bob, given_name="Zoé").photo_key

    def test_the_csv_export_holds_no_picture(self, alice, chloe):
        contact_photo_set(contact=chloe, upload=upload(picture()))
        data = b"".join(export_stream(contacts_to_export(owner=alice), "google_csv"))
        assert len(data) < 2000
        assert b"Chlo" in data

    def test_the_export_reads_the_pictures_in_one_query_per_chunk(
        self, alice, settings, django_assert_num_queries
    ):
        settings.RAPPORT_EXPORT_CHUNK = 3
        for index in range(6):
            contact = ContactFactory(owner=alice, given_name=f"N{index}")
            contact_photo_set(contact=contact, upload=upload(picture()))
        # The rows (one query, read in chunks), then per chunk of 3 the five
        # queries of details and one of pictures.
        with django_assert_num_queries(1 + 2 * 6):
            data = b"".join(export_stream(contacts_to_export(owner=alice), "vcard3"))
        assert data.count(b"PHOTO;") == 6


# ---------------------------------------------------------------------------
# Merge
# ---------------------------------------------------------------------------


class TestMerge:
    def test_the_member_picks_the_photo_when_both_have_one(self, alice):
        ann = ContactFactory(owner=alice, given_name="Ann", family_name="Lee")
        annie = ContactFactory(owner=alice, given_name="Annie", family_name="Lee")
        contact_photo_set(contact=ann, upload=upload(picture(colour=(0, 0, 255))))
        contact_photo_set(contact=annie, upload=upload(picture()))
        ann.refresh_from_db()
        annie.refresh_from_db()
        assert differing_fields([ann, annie]) == ["name", "photo"]
        kept = contacts_merge(
            owner=alice,
            contact_ids=[ann.pk, annie.pk],
            choices={"name": annie.pk, "photo": ann.pk},
        )
        assert kept.pk == annie.pk
        kept.refresh_from_db()
        assert kept.photo_key not in ("", annie.photo_key, ann.photo_key)
        assert close(centre(ContactPhoto.objects.get(contact=kept).large), (0, 0, 255))
        # The contact sent to the Trash keeps its own, should it be restored.
        assert ContactPhoto.objects.filter(contact=ann).exists()

    def test_the_only_photo_is_kept_whichever_name_wins(self, alice):
        ann = ContactFactory(owner=alice, given_name="Ann", family_name="Lee")
        annie = ContactFactory(owner=alice, given_name="Annie", family_name="Lee")
        contact_photo_set(contact=ann, upload=upload(picture(colour=(0, 0, 255))))
        kept = contacts_merge(
            owner=alice, contact_ids=[ann.pk, annie.pk], choices={"name": annie.pk}
        )
        kept.refresh_from_db()
        assert kept.pk == annie.pk
        assert kept.photo_key
        assert close(centre(ContactPhoto.objects.get(contact=kept).large), (0, 0, 255))

    def test_the_merge_page_shows_the_photos_to_choose_from(self, alice, alice_client):
        ann = ContactFactory(owner=alice, given_name="Ann", family_name="Lee")
        annie = ContactFactory(owner=alice, given_name="Annie", family_name="Lee")
        for contact in (ann, annie):
            contact_photo_set(contact=contact, upload=upload(picture()))
        html = alice_client.get(
            reverse("contacts:duplicates_merge"), {"contact": [ann.pk, annie.pk]}
        ).content.decode()
        assert "Keep which photo?" in html
        assert html.count('name="photo"') == 2
        assert f'src="{photo_url(ann)}"' in html
        assert 'alt="The photo of Annie Lee"' in html
        response = alice_client.post(
            reverse("contacts:duplicates_merge"),
            {"contact": [ann.pk, annie.pk], "name": ann.pk, "photo": annie.pk},
        )
        assert response.status_code == 302
        ann.refresh_from_db()
        assert close(centre(ContactPhoto.objects.get(contact=ann).large), (200, 30, 60))


@pytest.mark.parametrize("key", ["%00", "abc%00", "%07", "ABC", "x" * 20, "a" * 33])
def test_a_picture_address_with_a_key_no_photo_has_is_not_found_at_once(
    key, alice, alice_client
):
    from urllib.parse import unquote

    from django.urls import Resolver404, resolve

    contact = ContactFactory(owner=alice)
    contact_photo_set(contact=contact, upload=upload(picture()))
    path = f"/contacts/{contact.pk}/photo/{key}/small.jpg"
    # A NUL reached the query that finds the picture: PostgreSQL refuses it.
    with pytest.raises(Resolver404):
        resolve(unquote(path))
    assert alice_client.get(path).status_code == 404
    assert alice_client.get(photo_url(contact, "small")).status_code == 200
