"""The legacy reader against ijson (yajl2_c backend) on the legacy_migration benchmark's file.

    pip install ijson==3.6.0   # not a dependency of the project: only for this comparison
    python bench/legacy_reader_ijson.py [--registrations 100000] [--rounds 3]

Reads the same mongoexport-shaped JSONL file (bench/legacy_migration.py's generator) four
ways, alternating, and prints each way's best time of ``--rounds``:
- the project's reader (``legacy.reader``: the json C scanner with the Extended JSON hook,
  registrations streamed entry by entry, a bad line costing only that line);
- ijson ``kvitems(line, "")``: each line built whole (no streaming: a 100,000-registration
  event held at once), Extended JSON unwrapped afterwards as the reader's hook does;
- the same without the unwrapping (ijson's parse alone, its most favourable case);
- ijson streaming: ``kvitems(line, "registrations")`` entry by entry plus a ``parse`` pass for
  the other fields (what a streaming ijson reader would need).
Only decoding is timed: nothing is written to a database.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")

import django  # noqa: E402

django.setup()

import ijson  # noqa: E402

from bench.legacy_migration import generate  # noqa: E402
from legacy.codec.values import extended_json_hook  # noqa: E402
from legacy.reader import read_documents  # noqa: E402


def unwrap(value):
    """What the reader's object hook does while decoding, applied after ijson built the objects."""
    if isinstance(value, dict):
        return extended_json_hook({key: unwrap(item) for key, item in value.items()})
    if isinstance(value, list):
        return [unwrap(item) for item in value]
    return value


def project_reader(path: Path) -> int:
    entries = 0
    for document in read_documents(path):
        for _ in document.registration_entries():
            entries += 1
    return entries


def ijson_whole_lines(path: Path, *, extended: bool = True) -> int:
    entries = 0
    with path.open("rb") as lines:
        for line in lines:
            for key, value in ijson.kvitems(line, "", use_float=True):
                if key == "registrations":
                    for entry in value.values():
                        if extended:
                            unwrap(entry)
                        entries += 1
    return entries


def ijson_raw(path: Path) -> int:
    return ijson_whole_lines(path, extended=False)


def ijson_streaming(path: Path) -> int:
    entries = 0
    with path.open("rb") as lines:
        for line in lines:
            for _key, entry in ijson.kvitems(line, "registrations", use_float=True):
                unwrap(entry)
                entries += 1
            fields = {}
            for key, value in ijson.kvitems(line, "", use_float=True):
                if key != "registrations":  # built anyway by kvitems: the cheapest second pass
                    fields[key] = unwrap(value)
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="legacy-ijson-") as work:
        path = Path(work) / "events.jsonl"
        generate(path, args.registrations, 1000, max(2000, args.registrations // 10))
        print(f"{path.stat().st_size / 1e6:,.0f} MB of JSONL; ijson {ijson.__version__}, backend {ijson.backend}")
        ways = {
            "project reader (json C scanner + hook, streamed)": project_reader,
            "ijson kvitems, whole lines, unwrapped": ijson_whole_lines,
            "ijson kvitems, whole lines, no unwrapping": ijson_raw,
            "ijson streamed (kvitems registrations + fields pass)": ijson_streaming,
        }
        best = dict.fromkeys(ways, float("inf"))
        for _ in range(args.rounds):
            for name, read in ways.items():
                started = time.perf_counter()
                read(path)
                best[name] = min(best[name], time.perf_counter() - started)
        base = best["project reader (json C scanner + hook, streamed)"]
        for name, seconds in best.items():
            print(f"{name:<56} {seconds:6.2f} s  {seconds / base:4.2f}x")


if __name__ == "__main__":
    main()
