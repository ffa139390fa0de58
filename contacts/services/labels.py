"""Writes about labels: create, rename, delete, and label many contacts at once."""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from contacts.models import ContactLabel, Label
from contacts.models.labels import LABEL_NAME_MAX, LABEL_NAMES_RESERVED
from contacts.selectors.contacts import contact_ids_owned_by
from contacts.text import SPACES


def label_name_clean(name: str) -> str:
    """A label name trimmed, with runs of spaces squeezed; refused if unusable."""
    name = SPACES.sub(" ", name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the label a name.")}, code="blank")
    if len(name) > LABEL_NAME_MAX:
        raise ValidationError(
            {
                "name": _("Keep label names to %(max)s characters.")
                % {"max": LABEL_NAME_MAX}
            },
            code="max_length",
        )
    if name.lower() in LABEL_NAMES_RESERVED:
        raise ValidationError(
            {
                "name": _(
                    "Address book files use “%(name)s” for something of their own, "
                    "so a label of that name would be lost on export. Choose "
                    "another name."
                )
                % {"name": name}
            },
            code="reserved",
        )
    return name


def _same_name(owner, name: str):
    return Label.objects.filter(owner=owner, name__iexact=name)


def _taken(name: str) -> ValidationError:
    return ValidationError(
        {"name": _("You already have a label named “%(name)s”.") % {"name": name}},
        code="duplicate",
    )


def _check_room(owner) -> None:
    limit = settings.RAPPORT_CONTACT_LABELS_MAX
    if Label.objects.filter(owner=owner).count() >= limit:
        raise ValidationError(
            {
                "name": _(
                    "You have reached the limit of %(limit)s labels. Delete one "
                    "you no longer use first."
                )
                % {"limit": limit}
            },
            code="labels_limit",
        )


@transaction.atomic
def label_create(*, owner, name: str) -> Label:
    """A new label; refused if the owner has one of that name in any case."""
    name = label_name_clean(name)
    if _same_name(owner, name).exists():
        raise _taken(name)
    _check_room(owner)
    try:
        with transaction.atomic():
            return Label.objects.create(owner=owner, name=name)
    except IntegrityError:
        raise _taken(name) from None


@transaction.atomic
def label_for_name(*, owner, name: str) -> Label:
    """The owner's label of that name (in any case), created when missing."""
    name = label_name_clean(name)
    existing = _same_name(owner, name).first()
    if existing is not None:
        return existing
    _check_room(owner)
    try:
        with transaction.atomic():
            return Label.objects.create(owner=owner, name=name)
    except IntegrityError:
        return _same_name(owner, name).get()


@transaction.atomic
def label_rename(*, label: Label, name: str) -> Label:
    """Rename a label; changing only the case of its name is allowed."""
    name = label_name_clean(name)
    if _same_name(label.owner_id, name).exclude(pk=label.pk).exists():
        raise _taken(name)
    label.name = name
    try:
        with transaction.atomic():
            label.save(update_fields=["name"])
    except IntegrityError:
        raise _taken(name) from None
    return label


@transaction.atomic
def label_delete(*, label: Label) -> None:
    """Delete a label. The contacts that carried it stay, without it."""
    label.delete()


@transaction.atomic
def contacts_bulk_label(
    *, owner, contact_ids: Iterable[int], label: Label, add: bool
) -> int:
    """Add `label` to, or remove it from, the owner's selected contacts.

    Ids that are not the owner's contacts are ignored. Returns how many
    contacts were selected; doing it twice changes nothing more.
    """
    if label.owner_id != owner.pk:
        raise ValidationError(_("Choose one of your own labels."), code="label_owner")
    ids = contact_ids_owned_by(owner=owner, ids=contact_ids)
    if add:
        ContactLabel.objects.bulk_create(
            [ContactLabel(contact_id=pk, label=label) for pk in ids],
            ignore_conflicts=True,
        )
    else:
        ContactLabel.objects.filter(label=label, contact_id__in=ids).delete()
    return len(ids)
