"""What the benchmarks share: a scratch database, a gunicorn on loopback, a bounded HTTP load.

The load runs in the benchmark's own process (not in the server's): a fixed number of
threads, each sending requests with ``http.client`` to 127.0.0.1 until the bounded job
list is empty, every request with a timeout. Nothing here runs forever.
"""

import http.client
import json
import os
import queue
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_BENCH_DB = os.environ.get("BENCH_PG_DB", "bench")


def database_url(backend: str, name: str = "burst") -> str:
    if backend == "postgres":
        return f"{PG_ADMIN_URL}/{PG_BENCH_DB}"
    OUT.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{OUT / (name + '.sqlite3')}"


def database_reset(backend: str, url: str) -> None:
    """Start from an empty database with every migration applied."""
    if backend == "postgres":
        admin = ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1"]
        subprocess.run([*admin, "-c", f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}" WITH (FORCE)'], check=True)
        subprocess.run([*admin, "-c", f'CREATE DATABASE "{PG_BENCH_DB}"'], check=True)
    else:
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=server_env(url),
        check=True,
    )


def server_env(url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-" + "k" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "ERROR",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        }
    )
    env.update(extra)
    return env


def results_per_backend(script: str, backends: str, *, timeout: int = 1800) -> list[dict]:
    """Run ``script --backend B`` for each of ``backends`` (comma-separated), each in a process of its own.

    Django reads its settings (the database) once per process. Each child prints its result as JSON
    on its last line; a child that fails has its output printed and its exit code raised as SystemExit.
    """
    results = []
    for backend in backends.split(","):
        child = subprocess.run(
            [sys.executable, script, "--backend", backend, *sys.argv[1:]],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if child.returncode != 0:
            print(child.stdout, child.stderr, file=sys.stderr)
            raise SystemExit(child.returncode)
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    return results


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen | None) -> None:
    """SIGTERM, so the process finishes what it holds; SIGKILL if it has not exited in 15 s."""
    if process and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


class Gunicorn:
    """A gunicorn bound to 127.0.0.1 with the bench settings; stopped on exit."""

    def __init__(
        self,
        url: str,
        *,
        workers: int = 4,
        env: dict[str, str] | None = None,
        timeout: int = 30,
        settings: str = "bench.settings",
        access_log: Path | None = None,
    ):
        self.port = free_port()
        self.url = url
        self.workers = workers
        self.env = server_env(url, DJANGO_SETTINGS_MODULE=settings, **(env or {}))
        self.timeout = timeout
        self.access_log = access_log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        OUT.mkdir(parents=True, exist_ok=True)
        self.log = open(OUT / f"gunicorn-{self.port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "eventsite.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                str(self.timeout),
                "--graceful-timeout",
                "5",
                "--backlog",
                "512",
                *(["--access-logfile", str(self.access_log)] if self.access_log else []),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            if len(self.worker_pids()) >= self.workers:
                try:
                    status, _, _ = request("127.0.0.1", self.port, "GET", "/api/v2/", timeout=5)
                    if status < 500:
                        return self
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start in 30 s")

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except FileNotFoundError:
            return []

    def __exit__(self, *exc_info) -> None:
        stop(self.process)
        self.log.close()


class NotificationSender:
    """``manage.py send_notifications`` running beside the server, on the same machine's cores."""

    def __init__(
        self, url: str, *, settings: str = "bench.settings", interval: float = 0.2, niceness: int | None = None
    ):
        self.env = server_env(url, DJANGO_SETTINGS_MODULE=settings, NOTIFICATIONS_SENDER="worker")
        self.interval = interval
        self.niceness = niceness
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "NotificationSender":
        OUT.mkdir(parents=True, exist_ok=True)
        self.log = open(OUT / "send_notifications.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "send_notifications",
                "--interval",
                str(self.interval),
                # None: the command's own default (it lowers its priority by 10); 0: the web workers' priority.
                *(["--niceness", str(self.niceness)] if self.niceness is not None else []),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        return self

    def __exit__(self, *exc_info) -> None:
        stop(self.process)
        self.log.close()


def request(
    host: str, port: int, method: str, path: str, *, body: bytes | None = None, headers=None, timeout: float = 30
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@dataclass
class Job:
    key: str
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    key: str
    status: int  # 0: no HTTP answer (connection refused/reset, timeout)
    latency: float
    headers: dict[str, str]
    body: bytes
    error: str = ""
    finished_at: float = 0.0
    history: list[tuple[int, str | None, str | None]] = field(default_factory=list)

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def error_code(self) -> str | None:
        """The contract's error code, or None when the body is not the JSON error body."""
        body = self.json()
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            return body["error"].get("code")
        return None


def json_job(key: str, path: str, payload: dict, token: str | None = None) -> Job:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    return Job(key, "POST", path, json.dumps(payload).encode(), headers)


def run_load(
    port: int,
    jobs: Iterable[Job],
    *,
    clients: int = 64,
    timeout: float = 30,
    retry_statuses: frozenset[int] = frozenset(),
    max_attempts: int = 1,
    retry_wait_cap: float = 2.0,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[list[Outcome], float]:
    """Send every job from ``clients`` threads; return the last outcome of each and the wall time.

    A job whose answer is in ``retry_statuses`` (0: no HTTP answer) is sent again, up to
    ``max_attempts`` in all, after its Retry-After (capped); ``Outcome.history`` keeps
    the status of every attempt. ``on_progress`` is called with the number of finished jobs.
    """
    pending: queue.SimpleQueue[Job] = queue.SimpleQueue()
    count = 0
    for job in jobs:
        pending.put(job)
        count += 1
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)

    def send(job: Job) -> Outcome:
        began = time.perf_counter()
        try:
            status, headers, body = request(
                "127.0.0.1", port, job.method, job.path, body=job.body, headers=job.headers, timeout=timeout
            )
            error = ""
        except (OSError, http.client.HTTPException) as exc:
            status, headers, body, error = 0, {}, b"", f"{type(exc).__name__}: {exc}"
        ended = time.perf_counter()
        return Outcome(job.key, status, ended - began, headers, body, error, ended)

    def client() -> None:
        start_gate.wait()
        while True:
            try:
                job = pending.get_nowait()
            except queue.Empty:
                break
            history: list[Outcome] = []
            for attempt in range(max_attempts):
                outcome = send(job)
                history.append(outcome)
                if outcome.status not in retry_statuses or attempt == max_attempts - 1:
                    break
                try:
                    wait = float(outcome.headers.get("retry-after", "0.5"))
                except ValueError:
                    wait = 0.5
                time.sleep(min(max(wait, 0.1), retry_wait_cap))
            outcome.history = [(h.status, h.error_code(), h.headers.get("retry-after")) for h in history]
            with lock:
                outcomes.append(outcome)
                done = len(outcomes)
            if on_progress:
                on_progress(done)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    began = time.perf_counter()
    deadline = time.monotonic() + (timeout + retry_wait_cap) * max_attempts * max(1, count // clients + 1)
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))  # bounded even if a thread hangs
    wall = time.perf_counter() - began
    assert len(outcomes) == count, f"{count - len(outcomes)} requests never finished"
    return outcomes, wall


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def latency_summary(outcomes: list[Outcome], wall: float) -> dict:
    latencies = [o.latency * 1000 for o in outcomes]
    return {
        "requests": len(outcomes),
        "throughput_rps": round(len(outcomes) / wall, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "wall_s": round(wall, 2),
    }


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
