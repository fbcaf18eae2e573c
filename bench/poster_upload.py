"""What a poster upload costs: re-encoding a phone photo (12 MP JPEG with EXIF and GPS), a large
transparent PNG, and refusing a decompression bomb.

    python bench/poster_upload.py
    python bench/poster_upload.py --repeat 10

Only ``eventsite.images.image_reencode`` is measured (what the edit page, the admin and the API
all call before one row is written). Printed per file: its size, the median time, the size
stored, and the process's peak resident memory after the runs (Pillow's buffers are outside
Python's heap, so the operating system's figure is the one that counts).
"""

import argparse
import contextlib
import io
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")
    import django

    django.setup()


def _photo(width: int, height: int) -> bytes:
    from PIL import Image

    from tests.images import GPS_IFD

    image = Image.effect_noise((width // 8, height // 8), 60).convert("RGB").resize((width, height))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (12.0, 58.0, 13.5)})
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, exif=exif)
    return out.getvalue()


def _transparent_png(width: int, height: int) -> bytes:
    from PIL import Image

    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    image.paste((250, 180, 20, 255), (width // 4, height // 4, 3 * width // 4, 3 * height // 4))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _django()
    from eventsite.images import ImageTooLarge, image_reencode
    from tests.images import png_claiming_size

    files = {
        "phone photo 4000x3000 JPEG": _photo(4000, 3000),
        "poster 2480x3508 PNG, transparent": _transparent_png(2480, 3508),
    }
    print(f"peak memory before: {_peak_rss_mb():.0f} MB")
    for name, data in files.items():
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            clean = image_reencode(data)
            times.append(time.perf_counter() - started)
        print(
            f"{name}: {len(data) / 1e6:.2f} MB in, {statistics.median(times) * 1000:.0f} ms median, "
            f"{len(clean.data) / 1e6:.2f} MB stored as {clean.content_type} {clean.width}x{clean.height}; "
            f"peak memory {_peak_rss_mb():.0f} MB"
        )
    bomb = png_claiming_size(100_000, 100_000)
    started = time.perf_counter()
    for _ in range(args.repeat):
        with contextlib.suppress(ImageTooLarge):
            image_reencode(bomb)
    took = (time.perf_counter() - started) / args.repeat
    print(
        f"bomb claiming 100000x100000 ({len(bomb)} bytes): refused in {took * 1000:.2f} ms; "
        f"peak memory {_peak_rss_mb():.0f} MB"
    )


if __name__ == "__main__":
    main()
