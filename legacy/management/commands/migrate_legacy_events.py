"""Move mongoexport output of the legacy ``events`` collection into the new schema.

    python manage.py migrate_legacy_events events.jsonl [more.json ...] \\
        [--students students.jsonl] [--dry-run] [--report report.json] [--reader-process auto|on|off]

Safe to run again (nothing changes) and to resume after a kill (it finishes the
rest). See docs/MIGRATION.md.
"""

import argparse
import json
import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from legacy.importer import KINDS, ImportAborted, Importer, Report
from legacy.reader import DEFAULT_MAX_RECORD_MB


def _positive_mb(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0
    if not 0 < number <= 4096:
        raise argparse.ArgumentTypeError(f"{value!r} is not a size in MB between 0 and 4096")
    return number


class ProgressBar:
    """One line redrawn in place on a terminal, at most ten times a second."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream
        self.started = time.monotonic()
        self._last = 0.0

    def __call__(self, *, events: int, registrations: int, bytes_done: int, bytes_total: int) -> None:
        now = time.monotonic()
        if now - self._last < 0.1:
            return
        self._last = now
        elapsed = max(now - self.started, 1e-6)
        share = min(bytes_done / bytes_total, 1.0) if bytes_total else 1.0
        left = elapsed * (1 - share) / share if share > 0 else 0
        filled = int(self.WIDTH * share)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {share:4.0%}  {events:,} events  "
            f"{registrations:,} registrations  {registrations / elapsed:,.0f}/s  "
            f"{int(left) // 60}:{int(left) % 60:02d} left "
        )
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def summary_table(report: Report) -> str:
    columns = ("created", "updated", "unchanged", "dropped")
    lines = [f"{'':<14}" + "".join(f"{name:>11}" for name in columns)]
    for kind in (*KINDS, "fields"):
        counts = report.counts[kind]
        lines.append(f"{kind:<14}" + "".join(f"{counts.get(name, 0):>11,}" for name in columns))
    conflicts = report.conflicts_by_kind()
    lines.append("conflicts: " + (", ".join(f"{kind} {count:,}" for kind, count in conflicts.items()) or "none"))
    warnings = report.warnings_by_code()
    lines.append(
        "history breaking today's rules (warnings): "
        + (", ".join(f"{code} {count:,}" for code, count in warnings.items()) or "none")
    )
    by_code = Counter(problem["code"] for problem in report.integrity)
    lines.append(
        "integrity checks over the imported events: "
        + (", ".join(f"{code} {count:,}" for code, count in sorted(by_code.items())) or "no problems")
    )
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Import MongoDB exports (JSONL or JSON array) of the legacy events collection."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="mongoexport output of the events collection")
        parser.add_argument("--students", help="mongoexport output of the students collection (wins over copies)")
        parser.add_argument("--dry-run", action="store_true", help="do everything, then roll it all back")
        parser.add_argument("--report", help="write the full report (every dropped record and conflict) as JSON")
        parser.add_argument(
            "--reader-process",
            choices=("auto", "on", "off"),
            default="auto",
            help="decode the files in a second process while this one writes "
            "(auto: for 4 MB of input or more, on a machine with more than one core)",
        )
        parser.add_argument(
            "--max-record-mb",
            type=_positive_mb,
            default=DEFAULT_MAX_RECORD_MB,
            help="refuse a record (one registration entry or one other field of an event) longer than "
            f"this as RECORD_TOO_LARGE, and read on (default {DEFAULT_MAX_RECORD_MB})",
        )

    def handle(self, *args, **options):
        interactive = hasattr(self.stdout, "isatty") and self.stdout.isatty()
        bar = ProgressBar(self.stdout) if interactive else None
        importer = Importer(
            options["files"],
            students_file=options["students"],
            dry_run=options["dry_run"],
            progress=bar,
            reader_process={"auto": None, "on": True, "off": False}[options["reader_process"]],
            max_record_mb=options["max_record_mb"],
        )
        try:
            report = importer.run()
        except ImportAborted as exc:
            raise CommandError(
                f"The migration stopped: {exc}. Events imported before this point are kept; "
                "fix the cause and run the same command again."
            ) from exc
        finally:
            if bar is not None:
                bar.close()
        if options["report"]:
            with open(options["report"], "w", encoding="utf-8") as out:
                json.dump(report.as_dict(), out, indent=2, default=str)
        title = "Dry run: nothing was written." if report.dry_run else "Migration finished."
        self.stdout.write(f"{title}\n{summary_table(report)}")
