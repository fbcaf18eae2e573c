import io

import pytest
from PIL import Image

from eventsite.errors import PayloadTooLarge
from eventsite.images import ImageInvalid, ImageTooLarge, image_reencode
from tests.images import GPS_IFD, gif, photo_with_gps, png_claiming_size, png_with_transparency


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_photo_is_reencoded_without_its_exif_gps_or_comment():
    original = photo_with_gps()
    assert opened(original).getexif().get_ifd(GPS_IFD)  # the test file does carry GPS

    clean = image_reencode(original)

    image = opened(clean.data)
    assert (image.format, clean.content_type, clean.extension) == ("JPEG", "image/jpeg", "jpg")
    assert not image.getexif()
    assert "exif" not in image.info and "comment" not in image.info and "icc_profile" not in image.info
    assert b"PhoneMaker" not in clean.data and b"taken at home" not in clean.data
    assert (clean.width, clean.height) == image.size == (640, 480)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_come_in_and_their_metadata_does_not_come_out(fmt):
    clean = image_reencode(photo_with_gps(fmt=fmt))

    image = opened(clean.data)
    assert image.format == "JPEG"
    assert not image.getexif()


def test_a_transparent_png_stays_a_transparent_png():
    clean = image_reencode(png_with_transparency())

    image = opened(clean.data)
    assert (image.format, image.mode, clean.content_type) == ("PNG", "RGBA", "image/png")
    assert image.getpixel((0, 0))[3] == 0 and image.getpixel((100, 100))[3] == 255


def test_a_photo_turned_by_its_exif_orientation_is_stored_upright():
    clean = image_reencode(photo_with_gps(size=(600, 300), orientation=6))  # rotated 90°

    assert (clean.width, clean.height) == (300, 600)


def test_a_large_image_is_shrunk_to_the_largest_side(settings):
    settings.IMAGE_MAX_SIDE = 500

    clean = image_reencode(photo_with_gps(size=(1500, 1000)))

    assert (clean.width, clean.height) == (500, 333)


def test_a_file_over_the_byte_limit_is_payload_too_large():
    with pytest.raises(PayloadTooLarge) as refused:
        image_reencode(photo_with_gps(), max_bytes=1000, field="poster")

    assert refused.value.details == {"field": "poster", "max_bytes": 1000}


@pytest.mark.parametrize("width, height", [(10_000, 5_000), (50_000, 50_000)], ids=["over-ours", "over-pillows"])
def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded(width, height):
    bomb = png_claiming_size(width, height)
    assert len(bomb) < 1000

    with pytest.raises(ImageTooLarge) as refused:
        image_reencode(bomb, field="poster")

    assert refused.value.code == "IMAGE_TOO_LARGE"
    assert refused.value.details["field"] == "poster"
    assert refused.value.details["max_pixels"] == 40_000_000


def test_pillows_own_bomb_limit_is_a_refusal_too(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)

    with pytest.raises(ImageTooLarge):
        image_reencode(photo_with_gps(size=(100, 100)))


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image at all", b"<svg xmlns='http://www.w3.org/2000/svg'/>", gif(), photo_with_gps()[:300]],
    ids=["empty", "text", "svg", "gif", "truncated"],
)
def test_anything_but_a_whole_jpeg_png_or_webp_is_image_invalid(data):
    with pytest.raises(ImageInvalid) as refused:
        image_reencode(data, field="poster")

    assert refused.value.code == "IMAGE_INVALID"
    assert refused.value.details["field"] == "poster"
