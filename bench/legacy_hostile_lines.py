"""Peak memory of the legacy migration on hostile lines: huge, unterminated, deeply nested.

    python bench/legacy_hostile_lines.py            # 200 MB lines, the default cap (32 MB)
    python bench/legacy_hostile_lines.py --mb 50 --max-record-mb 16

Writes three JSONL files, each a hostile line followed by one good event, and imports each
with ``migrate_legacy_events --reader-process off`` into a fresh SQLite database in a child
process, printing its peak RSS (sampled every 20 ms, with ``ru_maxrss`` as a cross-check),
the time, and what the report says about each line:
- one event whose description is ``--mb`` MB long (a complete line);
- the same line cut off before its closing quote (unterminated, no newline until the next event);
- 200,000 ``[`` (nested far beyond any decoder's stack).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.legacy_migration import tree_memory  # noqa: E402

GOOD = {
    "event_id": "AFTER",
    "event_name": "After the hostile line",
    "start_datetime": {"$date": "2024-03-01T09:00:00Z"},
    "registrations": {
        "R1": {"registration_id": "R1", "student_data": {"enrollment_no": "22CSE30001", "full_name": "Asha Verma"}}
    },
}


def write_long(path: Path, megabytes: int, *, terminated: bool) -> None:
    with path.open("w") as out:
        out.write('{"event_id": "LONG", "start_datetime": "2024-03-01T09:00:00Z", "event_description": "')
        block = "x" * (1 << 20)
        for _ in range(megabytes):
            out.write(block)
        if terminated:
            out.write('"}')
        out.write("\n" + json.dumps(GOOD) + "\n")


def write_nested(path: Path) -> None:
    path.write_text("[" * 200_000 + "\n" + json.dumps(GOOD) + "\n")  # the first line: not taken for a JSON array


def run(label: str, data: Path, work: Path, cap: float | None) -> None:
    database = work / f"{label}.sqlite3"
    shutil.copy(work / "empty.sqlite3", database)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "0",
        "SECRET_KEY": "bench",
        "ALLOWED_HOSTS": "x",
    }
    report = work / f"{label}.json"
    command = [sys.executable, "manage.py", "migrate_legacy_events", str(data), "--reader-process", "off"]
    command += ["--report", str(report)] + (["--max-record-mb", str(cap)] if cap else [])
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_memory(process.pid)[0])
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        print(f"{label:<22} exit status {process.returncode} after {seconds:.1f} s, peak RSS {peak / 1024:,.0f} MB")
        return
    dropped = json.loads(report.read_text())["dropped"]
    codes = ", ".join(f"line {d['line']} {d['code']}" for d in dropped) or "nothing dropped"
    created = json.loads(report.read_text())["counts"]["events"]["created"]
    print(
        f"{label:<22} {data.stat().st_size / 1e6:7,.0f} MB file  {seconds:6.1f} s  peak RSS {peak / 1024:6,.0f} MB  "
        f"{codes}; events created {created}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="length of the long lines in MB")
    parser.add_argument("--max-record-mb", type=float, default=None, help="passed to the command (default: its own)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="legacy-hostile-"))
    try:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{work / 'empty.sqlite3'}", "DEBUG": "0", "SECRET_KEY": "bench"}
        env["ALLOWED_HOSTS"] = "x"
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        baseline = work / "baseline.jsonl"
        baseline.write_text(json.dumps(GOOD) + "\n")
        run("baseline (one event)", baseline, work, args.max_record_mb)
        files = {"long line": True, "unterminated line": False}
        for label, terminated in files.items():
            path = work / f"{label.replace(' ', '-')}.jsonl"
            write_long(path, args.mb, terminated=terminated)
            run(label, path, work, args.max_record_mb)
            path.unlink()
        nested = work / "nested.jsonl"
        write_nested(nested)
        run("200,000 [", nested, work, args.max_record_mb)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
