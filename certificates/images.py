"""Logos and signatures: the site's one re-encoding of uploads (``eventsite.images``), with PNG or
JPEG in, and shrunk until each fits its share of a certificate's 300 KB (a logo and three
signatures beside the embedded fonts)."""

from typing import IO

from eventsite.images import image_reencode

CERTIFICATE_FORMATS = ("JPEG", "PNG")
# The largest side each kind of image is kept at: room for print quality in the box it is drawn in.
LOGO_SIDE = 600
SIGNATURE_SIDE = 600
MAX_STORED_BYTES = 60 * 1024


def image_clean(upload: IO[bytes] | bytes, *, field: str, max_side: int) -> bytes:
    """The upload re-encoded without metadata, at most ``max_side`` pixels a side and MAX_STORED_BYTES.

    Raises what ``image_reencode`` raises (IMAGE_INVALID, IMAGE_TOO_LARGE, PAYLOAD_TOO_LARGE),
    ``details.field`` naming ``field``.
    """
    clean = image_reencode(upload, field=field, max_side=max_side, formats=CERTIFICATE_FORMATS)
    while len(clean.data) > MAX_STORED_BYTES and max(clean.width, clean.height) > 16:
        max_side = max(clean.width, clean.height) * 3 // 4
        clean = image_reencode(clean.data, field=field, max_side=max_side, formats=CERTIFICATE_FORMATS)
    return clean.data
