"""Real image files made in the tests: photos with EXIF GPS, transparent PNGs, bombs, not-images."""

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825
GPS_LATITUDE = 2


def photo_with_gps(*, size=(640, 480), orientation: int | None = None, fmt: str = "JPEG") -> bytes:
    """A photo as a phone writes it: camera make, a comment, and where it was taken."""
    image = Image.new("RGB", size, (200, 40, 40))
    image.paste((20, 120, 220), (0, 0, size[0] // 2, size[1] // 4))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    if orientation:
        exif[0x0112] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", GPS_LATITUDE: (12.0, 58.0, 13.5), 3: "E", 4: (77.0, 35.0, 40.2)})
    out = io.BytesIO()
    extra = {"comment": b"taken at home"} if fmt == "JPEG" else {}
    image.save(out, format=fmt, exif=exif, **extra)
    return out.getvalue()


def png_with_transparency(size=(300, 200)) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    image.paste((255, 200, 0, 255), (50, 50, 250, 150))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``×``height`` pixels: what a decompression bomb looks like."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width * 3 + 1) * 2)  # far fewer rows than claimed
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def gif(size=(10, 10)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size).save(out, format="GIF")
    return out.getvalue()
