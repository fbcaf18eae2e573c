"""Bad input at scale: schemathesis over every operation of /api/schema/, with a larger budget than CI's.

    python bench/fuzz_api.py                                  # SQLite, 300 examples per operation
    python bench/fuzz_api.py --backend postgres --max-examples 1000 --max-time 900

A fresh database with an organizer (staff, with a token), an individual and a team event,
students and registrations, so that operations reach their real code paths; gunicorn on
127.0.0.1 logs every request. Schemathesis runs its examples, coverage, fuzzing and
stateful phases (links where the schema has them) with every check, authenticated as
staff, then as a student. The figure that must be zero: responses with a 5xx status, counted from the
server's access log (independent of schemathesis's own report).
"""

import argparse
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402

ACCESS_STATUS = re.compile(r'" (\d{3}) ')


def seed() -> dict[str, str]:
    """Events, students and registrations to fuzz against; returns a token per role."""
    from bench.data import open_event, organizer_with_token, students_with_tokens
    from registrations.services import attendance_mark, registration_create, team_register
    from tests.factories import TeamEventFactory

    staff, token = organizer_with_token("fuzz-staff")
    staff.is_staff = True
    staff.save()
    tokens = students_with_tokens(40, prefix="24FUZ")
    students = sorted(tokens)
    event = open_event("fuzz-individual", 25, staff)
    team_event = TeamEventFactory(event_id="fuzz-team", organizers=[staff])
    for enr in students[:20]:
        registration_create(event=event, enrollment_no=enr)
    for enr in students[:5]:
        attendance_mark(event=event, enrollment_no=enr)
    team_register(event=team_event, team_name="Fuzzers", leader=students[30], members=students[31:33])
    return {"staff": token, "student": tokens[students[0]]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--max-examples", type=int, default=300)
    parser.add_argument("--max-time", type=int, default=600, help="seconds for the whole schemathesis run")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--roles", default="staff,student")
    args = parser.parse_args()

    url = harness.database_url(args.backend, name="fuzz")
    harness.database_reset(args.backend, url)
    os.environ.update(harness.server_env(url))
    import django

    django.setup()
    tokens = seed()
    access_log = harness.OUT / "fuzz-access.log"
    access_log.unlink(missing_ok=True)
    report_dir = harness.OUT / "fuzz-report"
    exit_codes = {}
    # The product as deployed: its own URLs (not the benchmarks' baseline endpoint) and its
    # collected static files (with DEBUG=0 every page, the 404 page included, needs the manifest).
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=harness.ROOT,
        env=harness.server_env(url, DJANGO_SETTINGS_MODULE="eventsite.settings"),
        check=True,
    )
    with harness.Gunicorn(
        url, workers=4, access_log=access_log, env={"AUTH_THROTTLE_RATE": "100000/min"}, settings="eventsite.settings"
    ) as server:
        for role in args.roles.split(","):
            command = [
                "schemathesis",
                "run",
                f"http://127.0.0.1:{server.port}/api/schema/",
                "--url",
                f"http://127.0.0.1:{server.port}",
                "--header",
                f"Authorization: Token {tokens[role]}",
                "--checks",
                "all",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--max-examples",
                str(args.max_examples),
                "--max-time",
                str(args.max_time),
                "--seed",
                str(args.seed),
                "--workers",
                "2",
                "--request-timeout",
                "30",
                "--continue-on-failure",
                "--suppress-health-check",
                "all",
                "--generation-database",
                "none",
                "--no-color",
                "--report",
                "junit",
                "--report-dir",
                str(report_dir / role),
            ]
            print(f"== as {role}: $ " + " ".join(command).replace(tokens[role], f"<{role} token>"), flush=True)
            run = subprocess.run(command, timeout=args.max_time + 600, capture_output=True, text=True)
            exit_codes[role] = run.returncode
            print("\n".join(run.stdout.strip().splitlines()[-25:]), flush=True)
    statuses = Counter(ACCESS_STATUS.findall(access_log.read_text()))
    server_errors = sum(n for status, n in statuses.items() if status.startswith("5"))
    print(f"\nrequests served: {sum(statuses.values())}; by status: {dict(sorted(statuses.items()))}")
    print(f"5xx responses: {server_errors} (target 0); schemathesis exit codes {exit_codes}")
    return 0 if server_errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
