"""What one registration costs against one baseline insert: queries and CPU per request, load-insensitive.

    python bench/registration_cost.py                         # PostgreSQL and SQLite, 2,000 requests each
    python bench/registration_cost.py --backends sqlite --requests 1000 --profile registration

The burst (bench/registration_burst.py) measures throughput with 64 clients and gunicorn, which a
busy machine disturbs. This benchmark counts what a busy machine does not change much: the
requests go through Django's WSGI handler in this one process (the same handler gunicorn calls,
with the burst's settings: ``DEBUG=0``, ``NOTIFICATIONS_SENDER=worker``), one after another, and
it reports per request

- the queries (counted with ``CaptureQueriesContext`` on one request of each outcome),
- the CPU time of this process (``time.process_time``): Django, DRF, the services, the driver,
- on PostgreSQL, the CPU time of the connection's server process (from ``/proc``),
- on SQLite, how long the request held the database's write lock (``BEGIN IMMEDIATE`` to
  ``COMMIT``, this thread's CPU time): one writer at a time, so this bounds the burst,
- and the CPU the email sender then spends per confirmation (``deliver``, as
  ``manage.py send_notifications`` runs it beside gunicorn during the burst),

for the baseline (``POST /bench/baseline/<event>``), registrations that get a seat (201) and
refusals (409: the event full, or already registered), in the burst's proportions: capacity is
three quarters of the students and one in ten sends the request twice. Kinds alternate in
blocks so a drift in the machine's speed falls on all of them alike. ``--profile KIND`` prints
the top of a cProfile (CPU time) of that kind's requests.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def server_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) used so far by the database server process ``pid``; 0 without one."""
    if not pid:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def wsgi_environ(path: str, body: bytes, token: str | None) -> dict:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Token {token}"
    return environ


def call(app, path: str, enrollment_no: str, token: str | None) -> int:
    """One request through the WSGI handler, as gunicorn makes it; the response status."""
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = int(status.split()[0])

    body = json.dumps({"enrollment_no": enrollment_no}).encode()
    response = app(wsgi_environ(path, body, token), start_response)
    for _ in response:
        pass
    response.close()
    return seen["status"]


class WriteLockClock:
    """Time (this thread's CPU) from each ``BEGIN IMMEDIATE`` to its ``COMMIT`` or ``ROLLBACK`` on SQLite.

    SQLite has one writer: while a request holds the write lock, every other writer waits, so
    the time a registration holds it bounds the burst whatever the number of workers.
    """

    def __init__(self, wrapper):
        self.held = 0.0
        self.started = None
        begin, commit, rollback = wrapper._start_transaction_under_autocommit, wrapper.commit, wrapper.rollback

        def timed_begin():
            self.started = time.thread_time()
            begin()

        def end(finish):
            def timed():
                try:
                    finish()
                finally:
                    if self.started is not None:
                        self.held += time.thread_time() - self.started
                        self.started = None

            return timed

        wrapper._start_transaction_under_autocommit = timed_begin
        wrapper.commit, wrapper.rollback = end(commit), end(rollback)


def sender_cost(pid: int | None) -> dict:
    """Send every email the registrations owe, as ``manage.py send_notifications`` does: CPU per email."""
    from django.core import mail

    from registrations.notifications import deliver

    sent = cpu = server = 0.0
    while True:
        server_before, cpu_before = server_cpu(pid), time.process_time()
        delivery = deliver(limit=100)
        cpu += time.process_time() - cpu_before
        server += server_cpu(pid) - server_before
        sent += delivery.sent
        mail.outbox = []  # the locmem backend keeps every message; a mail server would take them
        if not delivery.claimed:
            break
    sent = int(sent) or 1
    return {
        "requests": sent,
        "cpu_ms": round(cpu * 1000 / sent, 3),
        "server_cpu_ms": round(server * 1000 / sent, 3) if pid else None,
        "write_lock_ms": None,
    }


def run_backend(backend: str, args) -> dict:
    url = harness.database_url(backend, name="cost")
    harness.database_reset(backend, url)
    os.environ.update(harness.server_env(url, NOTIFICATIONS_SENDER="worker"))
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connection, connections
    from django.test.utils import CaptureQueriesContext

    from bench.data import enrollment, open_event, organizer_with_token, students_with_tokens

    app = get_wsgi_application()
    students = args.requests
    tokens = students_with_tokens(students + 20)
    organizer, _ = organizer_with_token()
    enrollments = [enrollment(i) for i in range(students)]
    spare = [enrollment(i) for i in range(students, students + 20)]

    # Warm up: imports, URL resolver, prepared statements, the connection (kept, CONN_MAX_AGE).
    open_event("cost-warmup", None, organizer)
    for enr in spare[:10]:
        call(app, "/bench/baseline/cost-warmup", enr, None)
        call(app, "/api/v2/register/individual/cost-warmup", enr, tokens[enr])
        call(app, "/api/v2/register/individual/cost-warmup", enr, tokens[enr])

    # Queries of one request of each outcome.
    open_event("cost-queries", 1, organizer)
    queries = {}
    for kind, path, enr, token in [
        ("baseline", "/bench/baseline/cost-queries", spare[10], None),
        ("registration 201", "/api/v2/register/individual/cost-queries", spare[10], tokens[spare[10]]),
        ("refusal 409 full", "/api/v2/register/individual/cost-queries", spare[11], tokens[spare[11]]),
        ("refusal 409 already", "/api/v2/register/individual/cost-queries", spare[10], tokens[spare[10]]),
    ]:
        with CaptureQueriesContext(connection) as captured:
            status = call(app, path, enr, token)
        queries[kind] = {"status": status, "queries": len(captured), "sql": [q["sql"][:200] for q in captured]}

    # The measured requests: the burst's mix, kinds alternating in blocks of 50.
    capacity = students * 3 // 4
    open_event("cost-burst", capacity, organizer)
    keys = enrollments + enrollments[: students // 10]
    random.Random(0).shuffle(keys)
    base_keys = list(keys)
    pid = None
    if backend == "postgres":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
    lock = WriteLockClock(connections["default"]) if backend == "sqlite" else None
    totals = {}  # kind -> [requests, cpu s, server cpu s, write lock s]
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    block = 50
    for start in range(0, len(keys), block):
        for kind in ("baseline", "registration"):
            chunk = (base_keys if kind == "baseline" else keys)[start : start + block]
            path = "/bench/baseline/cost-burst" if kind == "baseline" else "/api/v2/register/individual/cost-burst"
            for enr in chunk:
                token = None if kind == "baseline" else tokens[enr]
                if profiler and args.profile == kind:
                    profiler.enable()
                held_before = lock.held if lock else 0.0
                server_before, cpu_before = server_cpu(pid), time.process_time()
                status = call(app, path, enr, token)
                cpu, server = time.process_time() - cpu_before, server_cpu(pid) - server_before
                held = (lock.held - held_before) if lock else 0.0
                if profiler and args.profile == kind:
                    profiler.disable()
                label = kind if kind == "baseline" else f"registration {status}"
                entry = totals.setdefault(label, [0, 0.0, 0.0, 0.0])
                entry[0] += 1
                entry[1] += cpu
                entry[2] += server
                entry[3] += held
    per_request = {
        label: {
            "requests": n,
            "cpu_ms": round(cpu * 1000 / n, 3),
            "server_cpu_ms": round(server * 1000 / n, 3) if pid else None,
            "write_lock_ms": round(held * 1000 / n, 3) if lock else None,
        }
        for label, (n, cpu, server, held) in totals.items()
    }
    regs = [v for k, v in totals.items() if k.startswith("registration")]
    n = sum(v[0] for v in regs)
    per_request["registration (mix)"] = {
        "requests": n,
        "cpu_ms": round(sum(v[1] for v in regs) * 1000 / n, 3),
        "server_cpu_ms": round(sum(v[2] for v in regs) * 1000 / n, 3) if pid else None,
        "write_lock_ms": round(sum(v[3] for v in regs) * 1000 / n, 3) if lock else None,
    }
    per_request["email sent"] = sender_cost(pid)
    profile_text = None
    if profiler:
        if args.profile_dump:
            profiler.dump_stats(args.profile_dump)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.profile_lines)
        profile_text = out.getvalue()
    return {"backend": backend, "queries": queries, "per_request": per_request, "profile": profile_text}


def print_report(results: list[dict], args) -> None:
    print(f"registration cost: {args.requests} students (+{args.requests // 10} repeated), one process, WSGI handler")
    for result in results:
        print(f"\n== {result['backend']}")
        for kind, q in result["queries"].items():
            print(f"  queries  {kind:<22} {q['queries']:>2}  (HTTP {q['status']})")
            if args.verbose:
                for sql in q["sql"]:
                    print("      " + sql)
        base = result["per_request"]["baseline"]["cpu_ms"]
        for kind, f in result["per_request"].items():
            server = f" server {f['server_cpu_ms']:.3f} ms" if f["server_cpu_ms"] is not None else ""
            if f["write_lock_ms"] is not None:
                server += f" write lock held {f['write_lock_ms']:.3f} ms"
            print(
                f"  cpu      {kind:<22} {f['cpu_ms']:.3f} ms/request ({f['cpu_ms'] / base:.2f}x baseline)"
                f"{server}  ({f['requests']} requests)"
            )
        if result["profile"]:
            print(result["profile"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--requests", type=int, default=2000, help="students (each registers once; a tenth twice)")
    parser.add_argument("--profile", choices=["baseline", "registration"], help="cProfile this kind's requests")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key for --profile")
    parser.add_argument("--profile-lines", type=int, default=60)
    parser.add_argument("--profile-dump", help="also write the profile's pstats to this file")
    parser.add_argument("--verbose", action="store_true", help="print the SQL of each counted request")
    parser.add_argument("--backend", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.backend:
        print(json.dumps(run_backend(args.backend, args)))
        return 0
    results = harness.results_per_backend(__file__, args.backends)
    print_report(results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
