"""The simulated coordinators of bench.queue_load, run as Locust's library in a process of their own.

    .venv/bin/python -m bench.queue_users --host http://127.0.0.1:8000 --out result.json \
        --central zentrale@bench.example --district-office haken@bench.example

Started by bench.queue_load, not by hand: Locust patches the standard library for gevent when
imported, so it runs apart from the process that seeds the database and runs the server. First one
coordinator requests the stylesheet and the queue a few times, one at a time, on the idle server.
Then each user logs in once (the login form's CSRF token, then the POST) and requests its pages
with a short pause between them. After the warm-up, every request that starts within `--duration`
seconds counts, and the run waits for the last of them. Anything but HTTP 200 (a redirect to the
login page, an error, a timeout) is a failure. The raw times go to `--out` as JSON; bench.queue_load
does the sums.
"""

import argparse
import json
import math
import random
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gevent  # type: ignore[import-untyped]
from locust import HttpUser, between, task
from locust.clients import HttpSession
from locust.env import Environment

PASSWORD = "bench password 123"  # bench.queue_data.PASSWORD; not imported: that would load the app here
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
QUEUE = "/vorschlaege/"
STATIC = "static /static/site.css"
# A later page of the queue; the parameter the paginated queue reads (ignored by one without pages).
LATER_PAGE = {"page": "3"}
MIN_SCORE = {"min_score": "60"}


class Recorder:
    """Each request started within the measured window: its time and failure, by endpoint name.

    Counted by start, and the run waits for the last of them: a page slower than the window is
    measured, not dropped."""

    def __init__(self) -> None:
        self.start = math.inf
        self.end = math.inf
        self.pending = 0
        self.times: dict[str, list[float]] = {}
        self.failures: dict[str, dict[str, int]] = {}
        self.logins_ok = 0
        self.login_errors: list[str] = []

    def counts(self, started: float) -> bool:
        return self.start <= started < self.end

    def add(self, name: str, ms: float, error: str | None) -> None:
        self.times.setdefault(name, []).append(ms)
        errors = self.failures.setdefault(name, {})
        if error is not None:
            errors[error] = errors.get(error, 0) + 1


RECORDER = Recorder()


class Coordinator(HttpUser):
    """Reviews the queue; between pages, the stylesheet and a plain page, as the baseline."""

    abstract = True
    email = ""
    prefix = ""  # names the endpoints by account in the table
    district_ids: Sequence[int] = ()
    timeout_s = 60.0
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        if log_in(self.client, self.email, self.timeout_s):
            RECORDER.logins_ok += 1
        else:
            RECORDER.login_errors.append(self.email)

    def page(self, path: str, name: str, params: dict[str, str] | None = None) -> None:
        started = time.monotonic()
        counted = RECORDER.counts(started)
        RECORDER.pending += counted
        try:
            with self.client.get(
                path,
                params=params,
                name=name,
                allow_redirects=False,  # a session lost would redirect to the login page: a failure
                timeout=self.timeout_s,
                catch_response=True,
            ) as answer:
                error = None if answer.status_code == 200 else _error(answer.status_code, answer.error)
                if error:
                    answer.failure(error)
            if counted:
                RECORDER.add(name, (time.monotonic() - started) * 1000, error)
        finally:
            RECORDER.pending -= counted

    @task(4)
    def queue(self) -> None:
        self.page(QUEUE, f"{self.prefix}queue")

    @task(4)
    def stylesheet(self) -> None:
        self.page("/static/site.css", STATIC)

    @task(2)
    def imprint(self) -> None:
        self.page("/impressum", "plain page /impressum")


def log_in(client: HttpSession, email: str, timeout_s: float) -> bool:
    """The login form's CSRF token, then the POST; a redirect means success."""
    form = client.get("/konto/anmelden", name="login", timeout=timeout_s)
    token = CSRF.search(form.text)
    data = {"email": email, "password": PASSWORD, "csrf_token": token.group(1) if token else ""}
    with client.post(
        "/konto/anmelden",
        data=data,
        name="login",
        allow_redirects=False,
        timeout=timeout_s,
        catch_response=True,
    ) as answer:
        if answer.status_code in (302, 303):
            return True
        answer.failure(f"login failed: HTTP {answer.status_code}")
        return False


def idle_times(environment: Environment, email: str, count: int, timeout_s: float) -> dict[str, list[float]]:
    """Before the load: `count` requests of the stylesheet, then of the queue, one at a time, by one
    logged-in coordinator (what a page costs on an idle server). Stops a page at its first failure."""
    assert environment.host is not None
    client = HttpSession(environment.host, environment.events.request, user=None)
    times: dict[str, list[float]] = {}
    if not log_in(client, email, timeout_s):
        RECORDER.login_errors.append(f"{email} (idle)")
        return times
    for name, path in ((f"idle: {STATIC}", "/static/site.css"), ("idle: queue", QUEUE)):
        for _ in range(count):
            started = time.monotonic()
            answer = client.get(path, name=name, allow_redirects=False, timeout=timeout_s)
            times.setdefault(name, []).append((time.monotonic() - started) * 1000)
            if answer.status_code != 200:
                RECORDER.failures.setdefault(name, {})[_error(answer.status_code, answer.error)] = 1
                break
    return times


def _error(status: int, error: object) -> str:
    return f"HTTP {status}" if status else f"no answer: {str(error)[:160]}"


class CentralCoordinator(Coordinator):
    """The Integrationsbüro: sees every district (the largest queue); also filters and pages."""

    weight = 4
    prefix = ""

    @task(2)
    def one_district(self) -> None:
        district = random.choice(self.district_ids) if self.district_ids else 0
        self.page(QUEUE, "queue ?district", {"district": str(district)})

    @task(2)
    def min_score(self) -> None:
        self.page(QUEUE, "queue ?min_score=60", MIN_SCORE)

    @task(1)
    def later_page(self) -> None:
        self.page(QUEUE, "queue ?page=3", LATER_PAGE)


class DistrictCoordinator(Coordinator):
    """A Stadtteilbüro: its own districts only."""

    weight = 1
    prefix = "district office: "


def run(
    host: str, users: int, idle: int, warmup_s: float, duration_s: float, timeout_s: float
) -> dict[str, Any]:
    environment = Environment(user_classes=[CentralCoordinator, DistrictCoordinator], host=host)
    idle_ms = idle_times(environment, CentralCoordinator.email, idle, timeout_s)
    runner = environment.create_local_runner()
    spawned = time.monotonic()
    runner.start(users, spawn_rate=users)  # all within about a second
    while RECORDER.logins_ok + len(RECORDER.login_errors) < users and (
        time.monotonic() < spawned + max(30.0, timeout_s)
    ):
        gevent.sleep(0.1)
    logged_in_s = time.monotonic() - spawned
    gevent.sleep(warmup_s)
    RECORDER.start = time.monotonic()
    RECORDER.end = RECORDER.start + duration_s
    gevent.sleep(duration_s)
    # The requests started in the window finish (each within its timeout) before the users stop.
    deadline = time.monotonic() + timeout_s + 5
    while RECORDER.pending and time.monotonic() < deadline:
        gevent.sleep(0.05)
    waited_s = time.monotonic() - RECORDER.end
    unfinished = RECORDER.pending
    classes = dict(runner.user_classes_count)  # how Locust split the users by weight
    runner.quit()
    return {
        "users": users,
        "classes": classes,
        "logins_ok": RECORDER.logins_ok,
        "login_errors": RECORDER.login_errors,
        "logged_in_s": logged_in_s,
        "window_s": duration_s,
        "waited_s": waited_s,
        "unfinished": unfinished,
        "times_ms": idle_ms | RECORDER.times,
        "failures": RECORDER.failures,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--central", required=True, help="e-mail of the Integrationsbüro's coordinator")
    parser.add_argument("--district-office", required=True, help="e-mail of a Stadtteilbüro's coordinator")
    parser.add_argument("--district-ids", default="", help="comma-separated, for the district filter")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--idle", type=int, default=5, help="requests per page on the idle server first")
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--timeout", type=float, default=60, help="seconds per request")
    parser.add_argument("--pause", type=float, nargs=2, default=(0.5, 1.5), metavar=("MIN", "MAX"))
    args = parser.parse_args(argv)
    CentralCoordinator.email, DistrictCoordinator.email = args.central, args.district_office
    CentralCoordinator.district_ids = [int(i) for i in args.district_ids.split(",") if i]
    Coordinator.timeout_s = args.timeout
    Coordinator.wait_time = between(*args.pause)
    result = run(args.host, args.users, args.idle, args.warmup, args.duration, args.timeout)
    args.out.write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
