"""Legacy migration throughput and memory, against a raw sqlite3 floor.

    python bench/legacy_migration.py --registrations 100000

Generates a mongoexport-shaped JSONL file (nested shape, individual and team events,
attendance, feedback, certificates), imports it with ``migrate_legacy_events`` into a
fresh SQLite database in a child process, and reports registrations per second and
the peak memory of the command and every process it starts, added up (sampled every
20 ms: RSS, which counts pages the processes share once in each, and PSS, which
shares them out). Then, as the floor, loads exactly the rows the import wrote
into an empty copy of the schema with plain ``sqlite3`` ``executemany`` and reports
the ratio import/floor.
"""

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPARTMENTS = ["CSE", "ECE", "ME", "CE", "EEE", "IT"]
TABLES = [
    "registrations_student",
    "events_event",
    "events_eventsession",
    "registrations_team",
    "registrations_registration",
    "registrations_attendance",
    "registrations_feedback",
    "certificates_certificate",
]


def date(day: int, hour: int = 0) -> dict:
    return {"$date": f"2024-{1 + day // 28:02d}-{1 + day % 28:02d}T{hour:02d}:00:00Z"}


def student(number: int) -> dict:
    department = DEPARTMENTS[number % len(DEPARTMENTS)]
    return {
        "enrollment_no": f"{22 + number % 4}{department}{number:06d}",
        "full_name": f"Student {number}",
        "email": f"s{number}@college.edu",
        "department": department,
        "semester": 1 + number % 8,
        "mobile_no": f"98{number:08d}",
    }


def participation(rng: random.Random, record: str, sessions: list[str], day: int) -> dict:
    attended = sessions[: rng.randint(0, len(sessions))]
    out: dict = {
        "attendance": [
            {"attendance_id": f"A{record}{i}", "session": name, "marked_at": date(day, 9 + i), "marked_by": "prof.rao"}
            for i, name in enumerate(attended)
        ]
    }
    if attended and rng.random() < 0.7:
        out["feedback"] = {
            "feedback_id": f"F{record}",
            "rating": rng.randint(1, 5),
            "comments": "ok",
            "submitted_at": date(day + 1),
        }
    if attended and rng.random() < 0.5:
        out["certificate"] = {"certificate_id": f"C{record}", "issued_at": date(day + 3), "revoked": False}
    return out


def generate(path: Path, registrations: int, per_event: int, students: int) -> int:
    rng = random.Random(7)
    written = 0
    event_no = 0
    with path.open("w", encoding="utf-8") as out:
        while written < registrations:
            size = min(per_event, registrations - written)
            team = event_no % 3 == 2
            day = event_no % 300
            sessions = ["day1", "day2"]
            entries = {}
            taken: set[int] = set()
            start = rng.randrange(students)
            count = 0
            while count < size:
                members = min(3, size - count) if team else 1
                people = []
                while len(people) < members:
                    number = (start + len(taken)) % students
                    taken.add(number)
                    people.append(number)
                reg_id = f"E{event_no}R{count}"
                entry = {
                    "registration_id": reg_id,
                    "registration_type": "team" if team else "individual",
                    "registration_datetime": date(day, 1 + count % 20),
                    "status": "confirmed",
                    "student_data": student(people[0]),
                    **participation(rng, reg_id, sessions, day + 10),
                }
                if team:
                    entry["team_data"] = {
                        "team_name": f"Team {count}",
                        "team_leader": student(people[0])["enrollment_no"],
                        "team_members": [
                            {**student(number), **participation(rng, f"{reg_id}M{i}", sessions, day + 10)}
                            for i, number in enumerate(people[1:], 1)
                        ],
                    }
                entries[reg_id] = entry
                count += members
            document = {
                "_id": {"$oid": f"{event_no:024x}"},
                "event_id": f"EV{event_no:05d}",
                "event_name": f"Event {event_no}",
                "event_type": "team" if team else "individual",
                "team_size": {"min": 1, "max": 3},
                "max_participants": None,
                "start_datetime": date(day + 10),
                "end_datetime": date(day + 11),
                "registration_start": date(day),
                "registration_end": date(day + 9),
                "sessions": sessions,
                "status": "completed",
                "organizers": ["prof.rao"],
                "registrations": entries,
            }
            out.write(json.dumps(document, separators=(",", ":")) + "\n")
            written += size
            event_no += 1
    return event_no


def floor_load(source: Path, target: Path) -> float:
    """Seconds spent by plain executemany inserting the rows the import wrote."""
    read = sqlite3.connect(source)
    write = sqlite3.connect(target)
    write.execute("PRAGMA journal_mode=WAL")
    write.execute("PRAGMA synchronous=NORMAL")
    write.execute("PRAGMA foreign_keys=ON")
    spent = 0.0
    for table in TABLES:
        cursor = read.execute(f"SELECT * FROM {table}")  # noqa: S608
        columns = len(cursor.description)
        sql = f"INSERT INTO {table} VALUES ({', '.join('?' * columns)})"  # noqa: S608
        while rows := cursor.fetchmany(50_000):
            started = time.perf_counter()
            write.executemany(sql, rows)
            spent += time.perf_counter() - started
    started = time.perf_counter()
    write.commit()
    spent += time.perf_counter() - started
    return spent


def tree_memory(pid: int) -> tuple[int, int]:
    """KiB resident in ``pid`` and all its descendants now: (RSS added up, shared pages counted in
    each process; PSS added up, a page shared by n processes counted 1/n in each)."""
    rss = pss = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return rss, pss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--per-event", type=int, default=1000, help="registrations per event")
    parser.add_argument("--students", type=int, default=0, help="distinct students (default: a tenth, at least 2,000)")
    parser.add_argument("--reader-process", default="auto", choices=("auto", "on", "off"), help="passed to the command")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    args = parser.parse_args()
    students = args.students or max(2000, args.registrations // 10, args.per_event)
    work = Path(tempfile.mkdtemp(prefix="legacy-bench-"))
    data = work / "events.jsonl"
    events = generate(data, args.registrations, args.per_event, students)
    print(
        f"generated {args.registrations:,} registrations in {events:,} events, {students:,} students, "
        f"{data.stat().st_size / 1e6:,.0f} MB of JSONL"
    )

    imported, empty = work / "import.sqlite3", work / "floor.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{imported}",
        "DEBUG": "0",  # as in production
        "SECRET_KEY": "legacy-migration-benchmark",
        "ALLOWED_HOSTS": "localhost",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    shutil.copy(imported, empty)
    started = time.perf_counter()
    command = subprocess.Popen(
        [sys.executable, "manage.py", "migrate_legacy_events", str(data), "--reader-process", args.reader_process],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    rss_peak = pss_peak = 0
    while command.poll() is None:
        rss, pss = tree_memory(command.pid)
        rss_peak, pss_peak = max(rss_peak, rss), max(pss_peak, pss)
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    if command.returncode != 0:
        sys.exit(f"the import failed with exit status {command.returncode}")
    largest_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rate = args.registrations / seconds
    rows = sum(sqlite3.connect(imported).execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES)  # noqa: S608
    print(f"import:  {seconds:7.1f} s  {rate:10,.0f} registrations/s  ({rows:,} rows)")
    print(
        f"memory:  peak of the command and its reader process together: RSS {rss_peak / 1024:,.0f} MB, "
        f"PSS {pss_peak / 1024:,.0f} MB; largest single process RSS {largest_mb:,.0f} MB"
    )

    floor_seconds = floor_load(imported, empty)
    floor_rate = args.registrations / floor_seconds
    print(f"floor:   {floor_seconds:7.1f} s  {floor_rate:10,.0f} registrations/s  (sqlite3 executemany, same rows)")
    print(f"ratio:   {rate / floor_rate:.2f} of the floor")
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
