"""The review queue under load: 50 coordinators at once on 100,000 pending proposals, on loopback.

    .venv/bin/python -m bench.queue_load                         # 100,000 proposals, 50 users, 60 s
    .venv/bin/python -m bench.queue_load --duration 20           # a shorter measurement
    .venv/bin/python -m bench.queue_load --proposals 2000 --volunteers 500 --needs 50 --users 5

Everything is fresh and of its own: a PostgreSQL database (BENCH_PG, default 127.0.0.1:5432 as
postgres; dropped afterwards), migrated (app.migrate.upgrade) with the reference data, then
volunteers with accounts, languages, skills, slots and consent, needs across the districts and
organisations, and pending proposals with scores and reasons in the matcher's shape, computed_at over
60 days (bench.queue_data; the seeding time is printed). The server is the production shape on a free
loopback port: gunicorn with the app factory (`--workers` processes × `--threads` threads), tasks in
process, mail to the console.

First, on the idle server, one coordinator requests the stylesheet and then the queue `--idle` times
each, one at a time: what a page costs without waiting for a free thread ("idle:" rows, their ratio
against the idle stylesheet). Then Locust (bench.queue_users, a process of its own) starts `--users`
users within a second; each logs in
once as a coordinator (the Integrationsbüro, which sees every district, for four in five users: the
worst case; a Stadtteilbüro for the rest), before anything is measured: successful logins do not count
towards the login rate limit, so it stays as in production. Then, after `--warmup` seconds, it
records `--duration` seconds of: the queue (first page), filtered by a district, by a minimum score, a
later page, the district office's queue, and in the SAME run the baseline: the stylesheet
/static/site.css (served by the app, no database) and /impressum (a template, no query), with 0.5 to
1.5 s between one user's requests (--pause; that many users so fast keep two cores saturated, so every
page, the stylesheet too, waits for a free thread: `--pause 5 15`, people reading what they review,
shows the page's own cost under the same 50 users). A request counts if it starts within the window;
the run waits for the last of them, so a slow page is measured rather than cut off (a user busy with
one request starts no other: keep `--duration` above `--timeout`). Per endpoint: requests, failures (anything
but HTTP 200, timeouts after `--timeout` s; their times count too), p50, p95, p99 in ms, and each
p95's ratio to the stylesheet's p95. The last line is JSON; "failures" above 0 means the figures are
not to be trusted, and the run says so loudly.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import create_engine
from sqlmodel import Session

from app import migrate, reference
from bench.common import free_port, fresh_database, percentile, print_json, print_table
from bench.queue_data import Seeded, seed

ROOT = Path(__file__).resolve().parents[1]
STATIC = "static /static/site.css"
QUEUE = "queue"  # the headline: the Integrationsbüro's first page
IDLE = "idle: "  # the same pages one at a time before the load


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--proposals", type=int, default=100_000)
    parser.add_argument("--volunteers", type=int, default=20_000)
    parser.add_argument("--needs", type=int, default=2_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument(
        "--idle", type=int, default=5, help="requests per page, one at a time, before the load"
    )
    parser.add_argument("--warmup", type=float, default=10, help="seconds after all users logged in")
    parser.add_argument("--duration", type=float, default=60, help="seconds measured")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per request before it fails")
    parser.add_argument(
        "--pause",
        type=float,
        nargs=2,
        default=(0.5, 1.5),
        metavar=("MIN", "MAX"),
        help="seconds between one user's requests (e.g. 5 15 for people reading each page)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # so that `kill` cleans up like Ctrl+C

    with tempfile.TemporaryDirectory() as tmp, fresh_database("bench_queue") as name:
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        start = time.perf_counter()
        seeded = seed_database(url, args)
        seed_s = time.perf_counter() - start
        print(
            f"seeded database {name} in {seed_s:.1f} s: {seeded.volunteers} volunteers, "
            f"{seeded.needs} needs, {seeded.proposals} pending proposals",
            flush=True,
        )
        with server(url, Path(tmp) / "gunicorn.log", args.workers, args.threads) as host:
            result = load(host, seeded, Path(tmp) / "locust.json", args)
    report(args, seeded, seed_s, result)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def seed_database(url: str, args: argparse.Namespace) -> Seeded:
    migrate.upgrade(url)
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            reference.load_reference_data(session=session)
            return seed(
                session=session,
                volunteers=args.volunteers,
                needs=args.needs,
                proposals=args.proposals,
                seed=args.seed,
            )
    finally:
        engine.dispose()


@contextmanager
def server(url: str, log_path: Path, workers: int, threads: int) -> Iterator[str]:
    """gunicorn with the app factory on a free loopback port; stopped (and killed if need be) afterwards."""
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-queue-load",
        "TASKS_IN_PROCESS": "1",
        "RATELIMIT_STORAGE_URL": "memory://",
        "MAIL_BACKEND": "console",
        "BASE_URL": host,
    }
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads)]
    command += ["--bind", f"127.0.0.1:{port}", "--timeout", "300", "--graceful-timeout", "5"]
    # Connections stay open between a user's requests, as a reverse proxy keeps them; with gunicorn's
    # 2 s default, a connection closed just as the next request goes out would count as a failure.
    command += ["--keep-alive", "30", "app:create_app()"]
    with log_path.open("wb") as log:
        # A session of its own: the workers go with it, even if the master cannot stop them in time.
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_until_up(host, process, log_path)
        yield host
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the master, then SIGKILL to whatever of its process group is left (busy workers)."""
    process.send_signal(signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _wait_until_up(
    host: str, process: subprocess.Popen[bytes], log_path: Path, timeout_s: float = 90
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"bench.queue_load: gunicorn exited:\n{log_path.read_text(errors='replace')[-3000:]}"
            )
        try:
            with urllib.request.urlopen(f"{host}/impressum", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"bench.queue_load: gunicorn did not answer within {timeout_s:.0f} s")


def load(host: str, seeded: Seeded, out: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Runs bench.queue_users and returns what it recorded."""
    central, district_office = (c.email for c in seeded.coordinators)
    command = [sys.executable, "-m", "bench.queue_users", "--host", host, "--out", str(out)]
    command += ["--central", central, "--district-office", district_office]
    command += ["--district-ids", ",".join(map(str, seeded.district_ids)), "--users", str(args.users)]
    command += ["--idle", str(args.idle), "--warmup", str(args.warmup), "--duration", str(args.duration)]
    command += ["--timeout", str(args.timeout), "--pause", *map(str, args.pause)]
    # The idle requests, logins, warm-up, the window, the wait for its last requests, start and stop.
    budget = (2 * args.idle + 1) * args.timeout + max(30, args.timeout) + args.warmup + args.duration + 60
    print(
        f"load: {args.users} users, {args.warmup:.0f} s warm-up, {args.duration:.0f} s measured", flush=True
    )
    subprocess.run(command, cwd=ROOT, check=True, timeout=budget)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def report(args: argparse.Namespace, seeded: Seeded, seed_s: float, result: dict[str, Any]) -> None:
    times: dict[str, list[float]] = result["times_ms"]
    failures = {name: sum(errors.values()) for name, errors in result["failures"].items()}
    baseline = percentile(times[STATIC], 0.95) if times.get(STATIC) else 0.0
    idle = percentile(times[IDLE + STATIC], 0.95) if times.get(IDLE + STATIC) else 0.0
    rows = []
    # The idle server first, then the load; in each, the baseline last.
    for name in sorted(
        times, key=lambda n: (not n.startswith(IDLE), n.endswith(STATIC), n.startswith("plain"), n)
    ):
        values = times[name]
        phase_baseline = idle if name.startswith(IDLE) else baseline  # each against its own phase
        p95 = percentile(values, 0.95)
        ratio = p95 / phase_baseline if phase_baseline else ""
        rows.append((name, len(values), failures.get(name, 0), *_ms(values), ratio))
    window = result["window_s"]
    split = ", ".join(f"{count} {name}" for name, count in result["classes"].items())
    print(
        f"\n{seeded.proposals} pending proposals ({seeded.volunteers} volunteers, {seeded.needs} needs); "
        f"{result['users']} users ({split}; {result['logins_ok']} logged in within "
        f"{result['logged_in_s']:.1f} s), {args.pause[0]:g}–{args.pause[1]:g} s between a user's requests; "
        f"gunicorn {args.workers} workers × {args.threads} threads; "
        f"requests started in {window:.0f} s after {args.warmup:.0f} s warm-up (the last finished "
        f"{result['waited_s']:.1f} s after the window)"
    )
    print_table(("endpoint", "n", "failures", "p50_ms", "p95_ms", "p99_ms", "p95 / static p95"), rows)
    total_failures = sum(failures.values()) + len(result["login_errors"]) + result["unfinished"]
    total = sum(len(v) for v in times.values())
    print(f"throughput: {total / window:.1f} requests/s over all endpoints")
    if not times.get(QUEUE) or not times.get(STATIC):
        print(
            "\n!!! NO QUEUE OR NO STATIC REQUEST STARTED IN THE WINDOW: make --duration exceed --timeout !!!"
        )
    if total_failures:
        print(
            f"\n!!! {total_failures} FAILED REQUESTS OR LOGINS: the figures above are not to be trusted !!!"
        )
        if result["unfinished"]:
            print(f"  {result['unfinished']} requests still running {args.timeout:.0f} s after the window")
        for message in result["login_errors"][:5]:
            print(f"  login: {message}")
        for name, errors in result["failures"].items():
            for message, count in list(errors.items())[:3]:
                print(f"  {name}: {count} × {message}")
    queue = times.get(QUEUE, [])
    alone = times.get(IDLE + QUEUE, [])
    queue_p95 = percentile(queue, 0.95) if queue else None
    print_json(
        {
            "bench": "queue_load",
            "proposals": seeded.proposals,
            "users": args.users,
            "pause_s": list(args.pause),
            "server": f"{args.workers}x{args.threads}",
            "duration_s": round(window, 1),
            "seed_s": round(seed_s, 1),
            "queue_n": len(queue),
            "queue_p50_ms": round(percentile(queue, 0.5), 1) if queue else None,
            "queue_p95_ms": round(queue_p95, 1) if queue_p95 is not None else None,
            "queue_p99_ms": round(percentile(queue, 0.99), 1) if queue else None,
            "queue_idle_p50_ms": round(percentile(alone, 0.5), 1) if alone else None,
            "queue_failures": failures.get(QUEUE, 0),
            "static_p95_ms": round(baseline, 1),
            "ratio_p95": round(queue_p95 / baseline, 1) if queue_p95 is not None and baseline else None,
            "failures": total_failures,
        }
    )


def _ms(values: Sequence[float]) -> tuple[float, float, float]:
    return percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # the database is dropped and the server stopped by then
        raise SystemExit("bench.queue_load: interrupted; database dropped, server stopped") from None
