"""URLs of the contacts app."""

from django.urls import path

from contacts.views import (
    contacts,
    duplicates,
    labels,
    members,
    photos,
    settings,
    transfer,
    trash,
)

app_name = "contacts"

urlpatterns = [
    path("", contacts.contact_list, name="list"),
    path("new/", contacts.contact_add, name="add"),
    path("bulk/", contacts.contacts_bulk, name="bulk"),
    path("<id:pk>/", contacts.contact_detail, name="detail"),
    path("<id:pk>/edit/", contacts.contact_edit, name="edit"),
    path("<id:pk>/favorite/", contacts.contact_favorite, name="favorite"),
    path("<id:pk>/delete/", contacts.contact_delete, name="delete"),
    path("<id:pk>/photo/", photos.contact_photo, name="photo"),
    path(
        "<id:pk>/photo/remove/", photos.contact_photo_remove_view, name="photo_remove"
    ),
    path(
        "<id:pk>/photo/<photo_key:key>/<str:size>.jpg",
        photos.contact_photo_file,
        name="photo_file",
    ),
    path(
        "from-member/<handle:handle>/",
        members.contact_from_member,
        name="from_member",
    ),
    path("members/<handle:handle>/vcard/", members.member_vcard, name="member_vcard"),
    path("trash/", trash.trash_list, name="trash"),
    path("trash/empty/", trash.trash_empty_view, name="trash_empty"),
    path("trash/<id:pk>/restore/", trash.trash_restore, name="restore"),
    path("trash/<id:pk>/delete/", trash.trash_purge, name="purge"),
    path("labels/", labels.label_list, name="labels"),
    path("labels/<id:pk>/rename/", labels.label_rename_view, name="label_rename"),
    path("labels/<id:pk>/delete/", labels.label_delete_view, name="label_delete"),
    path("settings/", settings.address_book_settings, name="settings"),
    path("import/", transfer.import_start, name="import"),
    path("import/<id:pk>/", transfer.import_detail, name="import_detail"),
    path("import/<id:pk>/progress/", transfer.import_progress, name="import_progress"),
    path("import/<id:pk>/columns/", transfer.import_columns, name="import_columns"),
    path(
        "import/<id:pk>/confirm/", transfer.import_confirm_view, name="import_confirm"
    ),
    path("import/<id:pk>/undo/", transfer.import_undo_view, name="import_undo"),
    path(
        "import/<id:pk>/discard/", transfer.import_discard_view, name="import_discard"
    ),
    path("export/", transfer.export_form, name="export"),
    path("export/download/", transfer.export_download, name="export_download"),
    path("duplicates/", duplicates.duplicate_list, name="duplicates"),
    path("duplicates/merge/", duplicates.duplicate_merge, name="duplicates_merge"),
    path(
        "duplicates/merge-all/",
        duplicates.duplicate_merge_all,
        name="duplicates_merge_all",
    ),
    path(
        "duplicates/undo/",
        duplicates.duplicate_merges_undo,
        name="duplicates_undo",
    ),
    path(
        "duplicates/apart/",
        duplicates.duplicate_keep_apart,
        name="duplicates_keep_apart",
    ),
    path(
        "duplicates/together/",
        duplicates.duplicate_group_again,
        name="duplicates_group_again",
    ),
]
