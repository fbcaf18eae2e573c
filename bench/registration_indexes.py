"""What the registration table's indexes cost an insert, PostgreSQL: the index set before and after.

    python bench/registration_indexes.py                  # 100,000 rows a round, 3 rounds
    BENCH_PG_DB=perf python bench/registration_indexes.py --rows 50000 --rounds 5

A fresh database with every migration applied; then two empty copies of the registrations table
(``LIKE ... INCLUDING ALL``, so the real columns, constraints and indexes): "now" as migrated, and
"before" with the indexes the migration ``0014_registration_indexes_only_where_set`` removed put
back (full team and access-code indexes, the LIKE-pattern copies of the id, the check-in code and
the team). Each round inserts the same rows, with random ids and codes as registrations have,
into each copy in turn, alternating which goes first, in one statement per copy; prints the
server's time per row.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402

BEFORE_ONLY = (
    "CREATE INDEX ON before_shape (team_id)",
    "CREATE INDEX ON before_shape (team_id varchar_pattern_ops)",
    "CREATE INDEX ON before_shape (access_code_id)",
    "CREATE INDEX ON before_shape (registration_id varchar_pattern_ops)",
    "CREATE INDEX ON before_shape (checkin_code varchar_pattern_ops)",
)

INSERT = """
INSERT INTO {table} (registration_id, event_id, enrollment_no, status, checkin_code, registered_at)
SELECT 'R' || md5(%(round)s || '-' || i), 'EVT' || (i %% 50), '22CSE' || (%(round)s * %(rows)s + i), 'confirmed',
       substr(md5('c' || %(round)s || '-' || i), 1, 16), now()
FROM generate_series(1, %(rows)s) i
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    url = harness.database_url("postgres")
    harness.database_reset("postgres", url)
    os.environ.update(harness.server_env(url))
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("before_shape", "now_shape"):
            cursor.execute(f"CREATE TABLE {table} (LIKE registrations_registration INCLUDING ALL)")
        for statement in BEFORE_ONLY:
            cursor.execute(statement)
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'before_shape'"
            " UNION ALL SELECT count(*) FROM pg_indexes WHERE tablename = 'now_shape'"
        )
        counts = [row[0] for row in cursor.fetchall()]
        print(f"indexes: before {counts[0]}, now {counts[1]} (each one a row writes: partial ones only when set)")

        per_row = {"before_shape": [], "now_shape": []}
        for round_number in range(args.rounds):
            order = ("before_shape", "now_shape") if round_number % 2 == 0 else ("now_shape", "before_shape")
            for table in order:
                started = time.perf_counter()
                cursor.execute(INSERT.format(table=table), {"round": round_number, "rows": args.rows})
                per_row[table].append((time.perf_counter() - started) / args.rows * 1e6)
        for table, figures in per_row.items():
            rounds = ", ".join(f"{figure:.1f}" for figure in figures)
            print(f"{table.removesuffix('_shape'):>6}: {statistics.median(figures):6.1f} us a row (rounds: {rounds})")


if __name__ == "__main__":
    main()
