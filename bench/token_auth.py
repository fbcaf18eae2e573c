"""Token authentication: the prebuilt one-query lookup against the ORM's select_related, CPU per request.

    python bench/token_auth.py                      # PostgreSQL and SQLite, 5,000 lookups each
    python bench/token_auth.py --backends sqlite --lookups 2000

For each backend: a fresh database, 200 students with logins and tokens, then the same random
tokens looked up by ``StudentTokenAuthentication`` (one prebuilt SELECT read into model
instances) and by ``Token.objects.select_related("user__student")`` (what DRF's lookup plus
the student would be through the ORM), alternating which goes first. Prints microseconds
per lookup (wall time, one process; the database on the same machine) and queries per lookup.
"""

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402


def orm_lookup(key: str):
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user__student").get(key=key)
    return token.user, token


def measure(backend: str, lookups: int, rounds: int) -> None:
    url = harness.database_url(backend, "token_auth")
    harness.database_reset(backend, url)
    os.environ.update(harness.server_env(url))
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from bench.data import students_with_tokens
    from registrations.authentication import StudentTokenAuthentication

    keys = list(students_with_tokens(200).values())
    chosen = [random.Random(number).choice(keys) for number in range(lookups)]
    prebuilt = StudentTokenAuthentication().authenticate_credentials
    ways = {"prebuilt query": prebuilt, "ORM select_related": orm_lookup}
    for name, lookup in ways.items():
        with CaptureQueriesContext(connection) as captured:
            user, _ = lookup(chosen[0])
            user.student  # noqa: B018 - loaded with the token by both ways
        print(f"{backend:8} {name:20} queries per lookup: {len(captured.captured_queries)}")
    reset_queries()
    timings: dict[str, list[float]] = {name: [] for name in ways}
    for round_number in range(rounds):
        order = list(ways.items()) if round_number % 2 == 0 else list(reversed(ways.items()))
        for name, lookup in order:
            started = time.perf_counter()
            for key in chosen:
                lookup(key)
            timings[name].append((time.perf_counter() - started) / lookups * 1e6)
    for name, values in timings.items():
        values.sort()
        print(f"{backend:8} {name:20} median {values[len(values) // 2]:7.1f} us per lookup  (rounds: {values})")
    ratio = sorted(timings["ORM select_related"])[rounds // 2] / sorted(timings["prebuilt query"])[rounds // 2]
    print(f"{backend:8} the ORM lookup takes {ratio:.2f}x the prebuilt one")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--lookups", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    backends = args.backends.split(",")
    if len(backends) > 1:  # one Django setup per process: each backend in its own
        for backend in backends:
            argv = [sys.executable, __file__, "--backends", backend, "--lookups", str(args.lookups)]
            subprocess.run([*argv, "--rounds", str(args.rounds)], check=True)
        return
    measure(backends[0], args.lookups, args.rounds)


if __name__ == "__main__":
    main()
