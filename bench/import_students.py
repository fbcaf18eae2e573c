"""Student import throughput: a first import and a re-import of the same file.

    python bench/import_students.py --rows 20000

Writes a CSV of ``--rows`` students, imports it with ``import_students`` into a
fresh SQLite database in a child process, then imports it again (every row
unchanged), and prints rows per second and the child's peak RSS for each run.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPARTMENTS = ["CSE", "ECE", "ME", "CE", "EEE", "IT"]


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("enrollment_no,full_name,email,department,year,phone\n")
        for number in range(rows):
            department = DEPARTMENTS[number % len(DEPARTMENTS)]
            enrollment_no = f"{22 + number % 4}{department}{number:06d}"
            handle.write(
                f"{enrollment_no},Student {number},{enrollment_no.lower()}@college.example,"
                f"{department},{1 + number % 4},98{number:08d}\n"
            )


def manage(env: dict, *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return time.perf_counter() - started, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "students.csv"
        write_csv(csv_path, options.rows)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3"}
        manage(env, "migrate", "--noinput", "-v0")
        size_mb = csv_path.stat().st_size / 1024 / 1024
        print(f"{options.rows} rows, {size_mb:.1f} MB")
        for label in ("first import", "re-import"):
            seconds, summary = manage(env, "import_students", str(csv_path))
            print(f"{label:>12}: {seconds:6.1f} s, {options.rows / seconds:8.0f} rows/s  ({summary})")
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak RSS of the import processes: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
