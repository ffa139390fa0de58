"""Profile photos: read an upload as a picture, make the stored sizes.

The upload is trusted for nothing: its size is checked before reading, its
kind from its content (Pillow must recognise and decode it as a JPEG, PNG,
GIF or WebP picture of reasonable dimensions), and the stored files are new
JPEG encodings of the decoded pixels, so no metadata (EXIF, GPS, comments)
survives. File names are generated; the client's is never used.
"""

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_DIRECTORY = "profile-photos"
# Stored photo sizes (square, pixels) and the avatar sizes each one serves.
PHOTO_SIZES = {"sm": 96, "lg": 192, "xl": 400}
AVATAR_PHOTO = {"sm": "sm", "md": "sm", "lg": "lg", "xl": "xl"}
# "MPO" is a JPEG holding more than one picture, as phones write a photo with
# its depth or HDR map; its first picture is the photo.
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "GIF", "WEBP"}
MAX_PIXELS = 40_000_000
# The smallest side a JPEG is decoded at (see `photo_image`).
DRAFT_SIDE = 2 * max(PHOTO_SIZES.values())
MIN_SIDE = 32


def photo_path(key: str, size: str) -> str:
    """Where the photo with `key` is stored at `size` (under MEDIA_ROOT)."""
    return f"{PHOTO_DIRECTORY}/{key[:2]}/{key}-{size}.jpg"


def photo_url(key: str, size: str) -> str:
    return default_storage.url(photo_path(key, size))


def avatar_photo_url(key: str, size: str) -> str:
    """The URL of the stored photo that fits an avatar of `size`, or ""."""
    return photo_url(key, AVATAR_PHOTO.get(size, "xl")) if key else ""


def too_big_message() -> str:
    limit = settings.RAPPORT_PROFILE_PHOTO_MAX_BYTES / (1024 * 1024)
    return _("The photo is too large: choose a picture of at most %(size)s MB.") % {
        "size": f"{limit:g}"
    }


def photo_upload_too_big(request) -> bool:
    """Whether a request's body is larger than any photo upload may be.

    Read from its length, before the body is: the page can refuse it at once.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    # Room for the form's other fields and the multipart boundaries.
    return length > settings.RAPPORT_PROFILE_PHOTO_MAX_BYTES + 64 * 1024


class PhotoSizeLimit(FileUploadHandler):
    """Leaves out, as it arrives, an uploaded file larger than a photo may be.

    For a form that holds a photo among other fields: they are still read,
    so the form comes back with what was typed, and the file is neither
    kept in memory nor written to disk. The names of the fields whose file
    was left out are in `request.photos_too_big`. It goes first in the
    request's upload handlers, before the body is read.
    """

    def __init__(self, request):
        super().__init__(request)
        request.photos_too_big = set()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.RAPPORT_PROFILE_PHOTO_MAX_BYTES:
            self.request.photos_too_big.add(self.field_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler keeps the file


def read_photo(upload) -> Image.Image:
    """The decoded, upright picture in `upload`, or a ValidationError saying why not."""
    limit = settings.RAPPORT_PROFILE_PHOTO_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(too_big_message(), code="too_big")
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(too_big_message(), code="too_big")
    return photo_image(data)


def photo_image(data: bytes, *, min_side: int = MIN_SIDE) -> Image.Image:
    """The decoded, upright picture in `data`, or a ValidationError saying why not."""
    not_a_picture = ValidationError(
        _("This file is not a picture we can read: upload a JPEG, PNG, GIF or WebP."),
        code="not_image",
    )
    if not data:
        raise not_a_picture
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ACCEPTED_FORMATS:
                raise not_a_picture
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    _("The picture has too many pixels: at most 40 megapixels."),
                    code="too_many_pixels",
                )
            probe.verify()
            image = Image.open(io.BytesIO(data))
            # A JPEG decodes at a fraction of its size when that still leaves
            # twice the largest picture kept: a phone's 12 megapixels in about
            # a quarter of the time.
            image.draft("RGB", (DRAFT_SIDE, DRAFT_SIDE))
            image.load()
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        raise not_a_picture from error
    if min(image.size) < min_side:
        raise ValidationError(
            _("The picture is too small: at least %(side)d pixels on each side.")
            % {"side": min_side},
            code="too_small",
        )
    return ImageOps.exif_transpose(image)


def photo_renditions(image: Image.Image, sizes: dict[str, int]) -> dict[str, bytes]:
    """Square JPEG encodings of `image` at each size, without any metadata."""
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    else:
        image = image.convert("RGB")
    renditions = {}
    for name, side in sizes.items():
        square = ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        square.save(out, "JPEG", quality=85, optimize=True, progressive=True)
        renditions[name] = out.getvalue()
    return renditions
