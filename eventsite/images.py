"""Uploaded images, made safe to store and serve: one re-encoding for every upload (posters,
certificate logos and signatures).

Nothing of the uploaded file is kept but its pixels: it is decoded by Pillow (JPEG, PNG or
WebP only), turned upright from its EXIF orientation, converted to sRGB, shrunk to a
largest side, and written anew as JPEG (or PNG when it has transparency). EXIF (GPS
included), XMP, comments and colour profiles are gone; a file that claims more pixels than
the limit is refused before its pixels are decoded (a decompression bomb costs nothing).
"""

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from PIL import Image, ImageCms, ImageOps

from eventsite.errors import DomainError, PayloadTooLarge

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
ACCEPTED_CONTENT_TYPES = "image/jpeg,image/png,image/webp"
JPEG_QUALITY = 85


class ImageInvalid(DomainError):
    code = "IMAGE_INVALID"
    http_status = 400
    default_message = "The file is not a JPEG, PNG or WebP image, or it is damaged."


class ImageTooLarge(DomainError):
    code = "IMAGE_TOO_LARGE"
    http_status = 413
    default_message = "The image has far too many pixels; save it smaller and upload it again."


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int

    @property
    def digest(self) -> str:
        """A short fingerprint of the bytes: for cache-busting addresses and ETags."""
        return hashlib.sha256(self.data).hexdigest()[:16]


def _read_limited(upload: IO[bytes] | bytes, max_bytes: int, field: str) -> bytes:
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"The image is larger than {max_bytes // (1024 * 1024)} MB; save it smaller and upload it again.",
            details={"field": field, "max_bytes": max_bytes},
        )
    if not data:
        raise ImageInvalid("The file is empty; choose a JPEG, PNG or WebP image.", details={"field": field})
    return data


def _has_transparency(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        alpha = image.convert("RGBA").getchannel("A")
        return alpha.getextrema()[0] < 255
    return False


def _to_srgb(image: Image.Image, mode: str) -> Image.Image:
    """The pixels in ``mode``, through the file's colour profile when it has one (else as they are)."""
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
    return image.convert(mode)


def _format_names(formats: tuple[str, ...]) -> str:
    names = [{"WEBP": "WebP"}.get(name, name) for name in formats]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def image_reencode(
    upload: IO[bytes] | bytes,
    *,
    field: str = "image",
    max_bytes: int | None = None,
    max_pixels: int | None = None,
    max_side: int | None = None,
    formats: tuple[str, ...] = ACCEPTED_FORMATS,
) -> CleanImage:
    """The upload re-encoded without its metadata, or ``IMAGE_INVALID`` / ``IMAGE_TOO_LARGE`` /
    ``PAYLOAD_TOO_LARGE``; ``details.field`` names the form field it came from. ``formats``
    narrows what is taken (a subset of ``ACCEPTED_FORMATS``)."""
    max_bytes = max_bytes or settings.IMAGE_UPLOAD_MAX_BYTES
    max_pixels = max_pixels or settings.IMAGE_UPLOAD_MAX_PIXELS
    max_side = max_side or settings.IMAGE_MAX_SIDE
    data = _read_limited(upload, max_bytes, field)
    with warnings.catch_warnings():
        # Pillow's own bomb check warns below twice its limit: a warning here is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=formats)
            width, height = image.size
            if width * height > max_pixels:
                raise ImageTooLarge(
                    f"The image is {width}×{height} pixels; at most {max_pixels // 1_000_000} million pixels are "
                    "accepted. Save it smaller and upload it again.",
                    details={"field": field, "width": width, "height": height, "max_pixels": max_pixels},
                )
            # A JPEG far larger than what is kept is decoded at 1/2, 1/4 or 1/8 scale (never below max_side).
            shrink = max(width, height) / max_side
            if shrink > 1:
                image.draft("RGB", (int(width / shrink), int(height / shrink)))
            image.load()
            image = ImageOps.exif_transpose(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageTooLarge(details={"field": field, "max_pixels": max_pixels}) from None
        except (OSError, SyntaxError, ValueError, EOFError, Image.UnidentifiedImageError):
            raise ImageInvalid(
                f"The file is not a {_format_names(formats)} image, or it is damaged.", details={"field": field}
            ) from None
    transparent = _has_transparency(image)
    mode = "RGBA" if transparent else "RGB"
    image = _to_srgb(image, mode)
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # A new image from the bare pixels: nothing of the file's info (EXIF, XMP, comments, profile) follows.
    clean = Image.frombytes(mode, image.size, image.tobytes())
    out = io.BytesIO()
    if transparent:
        clean.save(out, format="PNG", compress_level=6)
        content_type, extension = "image/png", "png"
    else:
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        content_type, extension = "image/jpeg", "jpg"
    return CleanImage(
        data=out.getvalue(), content_type=content_type, extension=extension, width=clean.width, height=clean.height
    )
