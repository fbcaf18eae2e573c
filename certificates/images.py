"""Uploaded logos and signatures: checked, shrunk and re-encoded with Pillow before they are kept.

Only PNG and JPEG are taken. The declared size is checked before any pixel is decoded, so a
decompression bomb (a small file that expands to gigapixels) is refused without being
expanded. What is kept is a fresh encoding of the pixels alone: EXIF, GPS positions, comments
and colour profiles of the upload are gone, and so is anything hidden after the image data.
"""

import warnings
from io import BytesIO

from PIL import Image, UnidentifiedImageError

from eventsite.errors import ImageNotSupported, ImageTooLarge, ImageUnreadable

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 20_000_000
ACCEPTED_FORMATS = {"PNG", "JPEG"}
# The largest box each kind of image is drawn in, with room for print quality; larger ones are shrunk,
# and shrunk again until the encoding fits its share of a certificate's 300 KB (a logo, three signatures).
LOGO_BOX = (600, 600)
SIGNATURE_BOX = (600, 240)
MAX_STORED_BYTES = 60 * 1024


def image_clean(data: bytes, *, field: str, box: tuple[int, int]) -> bytes:
    """The upload re-encoded (PNG if it has transparency, else JPEG), at most ``box`` pixels.

    Raises IMAGE_NOT_SUPPORTED, IMAGE_TOO_LARGE or IMAGE_UNREADABLE, with ``details`` keyed by ``field``.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageTooLarge.for_field(field, f"The image is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    if not data:
        raise ImageUnreadable.for_field(field, "The file is empty: upload a PNG or JPEG image.")
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; here every warning is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(data), formats=sorted(ACCEPTED_FORMATS)) as upload:
                width, height = upload.size
                if width * height > MAX_PIXELS:
                    raise ImageTooLarge.for_field(
                        field, f"The image is {width}×{height} pixels; upload one of at most {MAX_PIXELS:,} pixels."
                    )
                upload.load()
                image = _flattened(upload)
        except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            if isinstance(error, UnidentifiedImageError):
                raise ImageNotSupported.for_field(field, "This file is not a PNG or JPEG image.") from None
            raise ImageTooLarge.for_field(
                field, f"The image expands to too many pixels: upload one of at most {MAX_PIXELS:,} pixels."
            ) from None
        except (OSError, SyntaxError, ValueError) as error:
            raise ImageUnreadable.for_field(
                field, "The image is damaged or cut short: save it again as PNG or JPEG and upload that."
            ) from error
    image.thumbnail(box, Image.Resampling.LANCZOS)
    while True:
        encoded = _encoded(image)
        if len(encoded) <= MAX_STORED_BYTES or min(image.size) <= 16:
            return encoded
        image = image.resize((max(1, image.width * 3 // 4), max(1, image.height * 3 // 4)), Image.Resampling.LANCZOS)


def _encoded(image: Image.Image) -> bytes:
    out = BytesIO()
    if image.mode == "RGBA":
        image.save(out, format="PNG", optimize=True)
    else:
        image.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def _flattened(upload: Image.Image) -> Image.Image:
    """The pixels alone, in RGB or RGBA (palettes, greyscale and CMYK converted)."""
    has_alpha = upload.mode in ("RGBA", "LA", "PA") or (upload.mode == "P" and "transparency" in upload.info)
    converted = upload.convert("RGBA" if has_alpha else "RGB")
    clean = Image.new(converted.mode, converted.size)
    clean.paste(converted)
    return clean
