"""Imports: each uploaded file is a batch, previewed, saved at once, undoable."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ContactImportQuerySet(models.QuerySet):
    def owned_by(self, member):
        """`member`'s imports; nothing for anyone signed out."""
        if not getattr(member, "is_authenticated", False):
            return self.none()
        return self.filter(owner=member)


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", _("Choosing columns")
    READING = "reading", _("Reading the file")
    READY = "ready", _("Ready to import")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    UNDOING = "undoing", _("Undoing")
    FAILED = "failed", _("Not imported")
    UNDONE = "undone", _("Undone")


# Imports that keep an uploaded file without having saved it, and can be
# cancelled (forgotten): waiting for columns, a preview, a failure.
CANCELLABLE_STATUSES = (ImportStatus.MAPPING, ImportStatus.READY, ImportStatus.FAILED)
# The same and a file being read: what counts against the files waiting.
WAITING_STATUSES = (*CANCELLABLE_STATUSES, ImportStatus.READING)
# Work under way, in a request or a background task: the page polls meanwhile.
WORKING_STATUSES = (ImportStatus.READING, ImportStatus.IMPORTING, ImportStatus.UNDOING)


class ImportFormat(models.TextChoices):
    VCARD = "vcard", _("vCard")
    GOOGLE = "google", _("Google Contacts CSV")
    OUTLOOK = "outlook", _("Outlook CSV")
    LINKEDIN = "linkedin", _("LinkedIn connections CSV")
    CSV = "csv", _("CSV")


class DateOrder(models.TextChoices):
    GUESS = "", _("Guess from the file and your address book’s region")
    DAY_FIRST = "dmy", _("Day first: 31/12/1990")
    MONTH_FIRST = "mdy", _("Month first: 12/31/1990")


class OnDuplicate(models.TextChoices):
    SKIP = "skip", _("Skip them")
    MERGE = "merge", _("Add their details to the existing contacts")
    ADD = "add", _("Import them anyway, as new contacts")


class ContactImport(models.Model):
    """One uploaded address book file, from upload to import (and undo).

    The file's bytes (so a CSV's columns can still change) and what the
    preview showed (compressed) are kept beside it as `ImportFile`s until
    the import runs, then dropped, and the cards the preview listed
    (`sample`, `duplicates`) with them: no copy of the file outlives the
    import.
    """

    Status = ImportStatus
    Format = ImportFormat
    OnDuplicate = OnDuplicate
    DateOrder = DateOrder

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="contact_imports",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.READING
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveIntegerField(_("file size"))
    file_format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.VCARD
    )
    encoding = models.CharField(_("encoding"), max_length=60, blank=True)
    # The files of an archive of several vCards, read as one: [first line,
    # file name, encoding] each (`uploads.unpacked()`; [first line, file
    # name] in imports kept before), so the preview can name a card by its
    # file and its line there and say what each file was read in, and [line,
    # file name, "", reason] for each left out as holding no card. Empty for
    # a single file.
    parts = models.JSONField(_("files in the archive"), default=list, blank=True)
    columns = models.JSONField(_("CSV columns"), default=list, blank=True)
    mapping = models.JSONField(_("column mapping"), default=list, blank=True)
    date_order = models.CharField(
        _("dates written"),
        max_length=3,
        choices=DateOrder.choices,
        default=DateOrder.GUESS,
        blank=True,
        help_text=_("How the CSV file's dates such as 4/5/1990 are read."),
    )
    total = models.PositiveIntegerField(_("cards read"), default=0)
    progress = models.PositiveIntegerField(_("cards processed"), default=0)
    new_count = models.PositiveIntegerField(_("new contacts"), default=0)
    duplicate_count = models.PositiveIntegerField(_("possible duplicates"), default=0)
    problem_count = models.PositiveIntegerField(_("unreadable cards"), default=0)
    photo_count = models.PositiveIntegerField(_("cards with a photo"), default=0)
    # The first unreadable cards: {"line", "reason"}. Here and in `duplicates`
    # and `sample`, a card of an archive of several files has its "file" too,
    # and "line" is its line in that file (`parts`). An archive's files that
    # hold no card come first, as {"file", "reason"}, and count here too.
    problems = models.JSONField(_("unreadable cards"), default=list, blank=True)
    # The first possible duplicates: {"line", "name", "matches": [contact ids]}.
    duplicates = models.JSONField(
        _("possible duplicates listed"), default=list, blank=True
    )
    notices = models.JSONField(_("notices"), default=list, blank=True)
    # How dates such as 4/5/1990 were read, shown with the preview ("" if the
    # file has none).
    date_note = models.CharField(_("dates read as"), max_length=500, blank=True)
    # The first cards as they will be saved: {"line", "name", "details":
    # [text], "birthday", "labels": [name]}.
    sample = models.JSONField(_("first cards"), default=list, blank=True)
    on_duplicate = models.CharField(
        _("duplicates"),
        max_length=5,
        choices=OnDuplicate.choices,
        default=OnDuplicate.SKIP,
    )
    label = models.ForeignKey(
        "contacts.Label",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("label"),
    )
    # The labels the cards named that the import created (its own aside):
    # the undo deletes those left empty.
    labels_created = models.JSONField(_("labels created"), default=list, blank=True)
    created_count = models.PositiveIntegerField(_("contacts added"), default=0)
    merged_count = models.PositiveIntegerField(_("contacts completed"), default=0)
    skipped_count = models.PositiveIntegerField(_("duplicates skipped"), default=0)
    merged = models.JSONField(_("details merged"), default=dict, blank=True)
    kept = models.JSONField(_("kept by the undo"), default=list, blank=True)
    kept_count = models.PositiveIntegerField(_("kept by the undo"), default=0)
    error = models.TextField(_("why it was not imported"), blank=True)
    # The upload form's token: the same file sent twice with it (a double
    # click) is one import. Blank for imports started otherwise.
    client_token = models.CharField(max_length=64, blank=True, editable=False)
    created = models.DateTimeField(_("uploaded"), default=timezone.now)
    # When reading, importing or undoing began (the work the status names).
    started = models.DateTimeField(_("work started"), default=timezone.now)
    finished = models.DateTimeField(_("imported"), null=True, blank=True)
    undone = models.DateTimeField(_("undone"), null=True, blank=True)

    objects = ContactImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact import")
        verbose_name_plural = _("contact imports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ImportStatus.values),
                name="contactimport_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(file_format__in=ImportFormat.values),
                name="contactimport_format_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(on_duplicate__in=OnDuplicate.values),
                name="contactimport_on_duplicate_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(date_order__in=DateOrder.values),
                name="contactimport_date_order_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=models.F("total")) | models.Q(total=0),
                name="contactimport_progress_within_total",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(finished__isnull=False),
                name="contactimport_done_has_finished",
            ),
            models.UniqueConstraint(
                fields=["owner", "client_token"],
                condition=~models.Q(client_token=""),
                name="contactimport_one_per_token",
            ),
            # One import saving (or being undone) at a time per member: the
            # limit stays exact and a double click cannot run it twice.
            models.UniqueConstraint(
                fields=["owner"],
                condition=models.Q(status__in=["importing", "undoing"]),
                name="contactimport_one_importing_per_owner",
            ),
        ]
        indexes = [
            models.Index(
                fields=["owner", "-created", "-id"], name="contactimport_recent"
            )
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_working(self) -> bool:
        """Still reading or importing: the page polls until it is not."""
        return self.status in WORKING_STATUSES

    @property
    def problems_not_listed(self) -> int:
        """Unreadable cards beyond the first ones listed with their reason."""
        return max(self.problem_count - len(self.problems), 0)

    @property
    def problems_name_files(self) -> bool:
        """Whether the unreadable cards listed include files of an archive
        that hold no card (listed by their name, without a line)."""
        return any("line" not in problem for problem in self.problems)

    @property
    def duplicates_not_listed(self) -> int:
        """Possible duplicates beyond the first ones listed."""
        return max(self.duplicate_count - len(self.duplicates), 0)

    @property
    def sample_is_every_card(self) -> bool:
        """Whether the first cards the preview shows are all the file holds."""
        return len(self.sample) >= self.new_count + self.duplicate_count

    @property
    def percent(self) -> int:
        if not self.total:
            return 0
        return min(100, round(100 * self.progress / self.total))

    @property
    def can_undo(self) -> bool:
        return self.status == self.Status.DONE


class ImportFile(models.Model):
    """Bytes an import keeps while it waits: the uploaded file, or its preview.

    Kept apart from the import's own row, which changes as the work goes on
    (status, progress), so that saving those never rewrites megabytes.
    """

    class Kind(models.TextChoices):
        SOURCE = "source", _("uploaded file")
        PREPARED = "prepared", _("prepared cards")

    batch = models.ForeignKey(
        ContactImport,
        on_delete=models.CASCADE,
        related_name="files",
        verbose_name=_("import"),
        db_index=False,  # the unique (batch, kind) index serves it
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    data = models.BinaryField(_("data"))

    class Meta:
        verbose_name = _("import file")
        verbose_name_plural = _("import files")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "kind"], name="importfile_one_per_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["source", "prepared"]),
                name="importfile_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of import {self.batch_id}"


class ImportedContact(models.Model):
    """A contact an import added, with the UID its card had.

    Undo finds the contacts to delete here; a later import of the same file
    recognises cards by their UID.
    """

    batch = models.ForeignKey(
        ContactImport,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("import"),
        db_index=False,  # the (batch, contact) index serves it
    )
    contact = models.OneToOneField(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="import_record",
        verbose_name=_("contact"),
    )
    uid = models.CharField(_("vCard UID"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("imported contact")
        verbose_name_plural = _("imported contacts")
        indexes = [
            models.Index(fields=["batch", "contact"], name="importedcontact_batch"),
            models.Index(
                fields=["uid"],
                condition=~models.Q(uid=""),
                name="importedcontact_uid",
            ),
        ]

    def __str__(self):
        return f"{self.batch_id} · {self.contact_id}"
