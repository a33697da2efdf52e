"""The background pipeline end to end: a real Celery worker, Redis and PostgreSQL, fed through the outbox.

    .venv/bin/python -m bench.pipeline                      # 200 timed registrations, a burst of 1,000
    .venv/bin/python -m bench.pipeline --registrations 50 --burst 200   # a quick run

Latency is timed from the COMMIT of a registration (account, profile, consent and its outbox row, written
by `register_volunteer` as the web app does) to the moment its pending proposals are visible to another
database connection, polled every millisecond. The baseline is the same round trip for an empty task
(`pipeline.ping`, which only marks its outbox row processed), measured in the same run. The burst commits
1,000 registrations from four processes (four web processes, say) and times until every one of them is
matched; `lost` counts registrations whose matching never took effect.

Everything is fresh and of its own: a PostgreSQL database (dropped afterwards), a redis-server with the
append-only file on a free port, and `celery worker --pool=prefork --concurrency=2` as in
docker-compose.yml. Open needs (200 by default) come from bench.synthetic, so matching does real work.
Password hashes get cheap argon2 parameters, and each registration's sentence embedding (computed on
save, before the commit, app.embeddings) is computed beforehand with the same model and looked up: both
are the web request's cost, not the pipeline's. The table reports what the embedding costs a request.
"""

import argparse
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import psycopg
import redis
from argon2 import PasswordHasher
from flask import Flask
from numpy.typing import NDArray
from sqlalchemy import event
from sqlmodel import Session, select

from app import create_app, embeddings, migrate, reference
from app.accounts import services as accounts
from app.config import Settings
from app.extensions import db
from app.needs.models import Need, NeedLanguage, NeedSkill, NeedSlot
from app.offices.models import District
from app.outbox.services import PENDING_KEY, add_message
from app.partners.models import Organisation
from app.vocab.models import Skill
from app.volunteers.profile import ProfileData, Registration
from app.volunteers.services import register_volunteer
from bench.common import cached_embeddings, free_port, fresh_database, percentile, print_json, print_table
from bench.synthetic import make_needs, make_volunteers
from matching.embedding import MODEL_NAME, FusedEmbedder
from matching.types import NeedProfile, VolunteerProfile

ROOT = Path(__file__).resolve().parents[1]
VISIBLE = (
    "SELECT processed_at IS NOT NULL, (SELECT count(*) FROM proposal WHERE volunteer_id = %s "
    "AND status = 'pending') FROM outbox_message WHERE id = %s"
)


@contextmanager
def redis_server(directory: Path, port: int) -> Iterator[str]:
    """redis-server as in docker-compose.yml: append-only file, never evicting a task."""
    command = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", str(directory)]
    command += ["--appendonly", "yes", "--maxmemory-policy", "noeviction", "--save", ""]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        until(lambda: _pings(url), 10, "redis-server to start")
        yield url
    finally:
        process.terminate()
        process.wait()


def _pings(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@contextmanager
def worker(env: dict[str, str], log_path: Path, concurrency: int) -> Iterator[None]:
    command = [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "--pool=prefork"]
    command += [f"--concurrency={concurrency}", "-Q", env["CELERY_QUEUE"], "--loglevel=WARNING"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def until(condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.001) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench.pipeline: not within {timeout} s: {what}")
        time.sleep(interval)


def ids_by_key(session: Session) -> tuple[dict[str, int], dict[str, int]]:
    """District ids by slug, skill ids by key."""
    districts = {d.slug: d.id for d in session.exec(select(District)) if d.id is not None}
    skills = {s.key: s.id for s in session.exec(select(Skill)) if s.id is not None}
    return districts, skills


def seed_needs(session: Session, profiles: Sequence[NeedProfile]) -> None:
    """Open needs from the synthetic profiles, spread over a few organisations."""
    districts, skills = ids_by_key(session)
    organisations = [
        Organisation(name=f"Partner {i}", kind="school", district_id=next(iter(districts.values())))
        for i in range(10)
    ]
    session.add_all(organisations)
    session.flush()
    for i, profile in enumerate(profiles):
        # The partner's own words, split into title and description; the app appends the skill words.
        title, description = split_title(profile.own_words)
        need = Need(
            organisation_id=organisations[i % 10].id or 0,
            title=title,
            description=description,
            district_id=districts.get(profile.district) or next(iter(districts.values())),
            requires_certificate=profile.requires_certificate,
            min_age=profile.min_age,
            places=max(1, profile.open_places),
        )
        session.add(need)
        session.flush()
        assert need.id is not None
        for key in profile.skills & skills.keys():
            session.add(NeedSkill(need_id=need.id, skill_id=skills[key]))
        for code in profile.required_languages | profile.welcome_languages:
            required = code in profile.required_languages
            session.add(NeedLanguage(need_id=need.id, language_code=code, required=required))
        for slot in profile.slots:
            session.add(
                NeedSlot(
                    need_id=need.id,
                    weekday=slot.weekday,
                    start_minute=slot.start_minute,
                    end_minute=slot.end_minute,
                )
            )
    session.commit()


class PrecomputedEmbedder:
    """The registrations' embeddings, computed beforehand with the real model; any other text now."""

    name = MODEL_NAME

    def __init__(self, texts: Sequence[str]) -> None:
        vectors, _ = cached_embeddings(texts, log=lambda line: print(line, flush=True))
        self.known = dict(zip(texts, vectors, strict=True))
        self.model = FusedEmbedder()

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        return np.stack([self.known[t] if t in self.known else self.model.embed([t])[0] for t in texts])


def embedding_on_save_ms(texts: Sequence[str]) -> list[float]:
    """What embedding one profile costs a web request, with the model loaded (as in a web process)."""
    model = FusedEmbedder()
    model.embed(["warm-up"])
    times = []
    for text in texts:
        start = time.perf_counter()
        model.embed([text])
        times.append((time.perf_counter() - start) * 1000)
    return times


def split_title(words: str, limit: int = 150) -> tuple[str, str]:
    """At most `limit` characters of title, cut at a space, and the rest as description."""
    if len(words) <= limit:
        return words, ""
    cut = words.rfind(" ", 0, limit)
    cut = cut if cut > 0 else limit
    return words[:cut], words[cut:].strip()


def registrations(session: Session, count: int, offset: int) -> list[Registration]:
    """Sign-ups from the synthetic volunteers (not paused, every one a new e-mail address)."""
    districts, skills = ids_by_key(session)
    profiles = [p for p in make_volunteers(count * 2, seed=offset) if not p.paused][:count]
    return [_registration(p, offset + i, districts, skills) for i, p in enumerate(profiles)]


def _registration(
    p: VolunteerProfile, n: int, districts: dict[str, int], skills: dict[str, int]
) -> Registration:
    profile = ProfileData(
        first_name="Bench",
        last_name=f"Volunteer {n}",
        district_id=districts.get(p.district) or next(iter(districts.values())),
        travel_radius_km=int(p.travel_radius_km),
        languages=dict(p.languages),
        birth_date=p.birth_date,
        skill_ids=[skills[k] for k in sorted(p.skills) if k in skills],
        slots=[(s.weekday, s.start_minute, s.end_minute) for s in p.slots],
        about=p.own_words,  # what a volunteer types; the app adds the skill words itself
        max_active_pairings=p.max_active_pairings,
        certificate_inspected_on=p.certificate_inspected_on,
    )
    return Registration(
        email=f"bench{n}@example.org", password="bench password 123", locale="de", profile=profile
    )


def watch_commit(session: Session) -> dict[str, object]:
    """Fills in, just before the COMMIT, its time and the outbox rows it carries (published after it)."""
    seen: dict[str, object] = {}

    def before_commit(committing: Session) -> None:
        seen["at"] = time.perf_counter()
        seen["outbox_ids"] = list(committing.info.get(PENDING_KEY, []))

    event.listen(session, "before_commit", before_commit)
    return seen


def time_registration(poll: psycopg.Connection, data: Registration) -> tuple[float, int]:
    """Milliseconds from the commit until the proposals are visible, and how many there are."""
    with db.new_session() as session:
        seen = watch_commit(session)
        volunteer = register_volunteer(session=session, data=data)
    outbox_ids: list[int] = seen["outbox_ids"]  # type: ignore[assignment]
    message_id = outbox_ids[0]
    row: tuple[bool, int] = (False, 0)

    def visible() -> bool:
        nonlocal row
        row = poll.execute(VISIBLE, (volunteer.id, message_id)).fetchone() or (False, 0)
        return row[0]

    until(visible, 60, f"registration of volunteer {volunteer.id} to be matched")
    return (time.perf_counter() - float(seen["at"])) * 1000, row[1]  # type: ignore[arg-type]


def time_ping(poll: psycopg.Connection) -> float:
    """The same round trip for a task that does nothing but mark its outbox row processed."""
    with db.new_session() as session:
        seen = watch_commit(session)
        message = add_message(session=session, task_name="pipeline.ping", payload={})
        session.commit()
    query = "SELECT processed_at IS NOT NULL FROM outbox_message WHERE id = %s"
    until(lambda: bool((poll.execute(query, (message.id,)).fetchone() or (False,))[0]), 60, "an empty task")
    return (time.perf_counter() - float(seen["at"])) * 1000  # type: ignore[arg-type]


_PRODUCER_APP: Flask | None = None  # the app each forked producer process inherits


def _produce(part: Sequence[Registration]) -> list[tuple[float, list[int]]]:
    """In a producer process: commits its registrations one by one, as a web process would."""
    assert _PRODUCER_APP is not None
    done = []
    with _PRODUCER_APP.app_context():
        db.engine.dispose(close=False)  # the parent's pooled connections are not this process's to use
        for item in part:
            with db.new_session() as session:
                seen = watch_commit(session)
                register_volunteer(session=session, data=item)
            done.append((float(seen["at"]), list(seen["outbox_ids"])))  # type: ignore[call-overload]
    return done


def burst(
    flask_app: Flask, poll: psycopg.Connection, data: Sequence[Registration], producers: int
) -> tuple[float, float, int]:
    """Seconds to commit them all and until all are matched (both from the first commit), how many were.

    The producers are processes (web processes, say), not threads, so that one interpreter's lock does
    not set the pace; perf_counter is the system's monotonic clock, the same in every process.
    """
    global _PRODUCER_APP
    _PRODUCER_APP = flask_app
    with multiprocessing.get_context("fork").Pool(producers) as pool:
        parts = pool.map(_produce, [data[i::producers] for i in range(producers)])
    commits = [at for part in parts for at, _ in part]
    ids = [i for part in parts for _, outbox_ids in part for i in outbox_ids]
    produced_s = max(commits) - min(commits)
    query = "SELECT count(*) FROM outbox_message WHERE id = ANY(%s) AND processed_at IS NOT NULL"
    done = 0

    def all_done() -> bool:
        nonlocal done
        done = (poll.execute(query, (ids,)).fetchone() or (0,))[0]
        return done == len(data)

    # Lost means never matched: waits as long as matching makes progress, up to a minute without any.
    last, progress_at = -1, time.monotonic()
    while not all_done() and time.monotonic() - progress_at < 60:
        if done != last:
            last, progress_at = done, time.monotonic()
        time.sleep(0.05)
    return produced_s, time.perf_counter() - min(commits), done


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--registrations", type=int, default=200)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--needs", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=2, help="worker pool processes")
    parser.add_argument("--producers", type=int, default=4, help="processes committing the burst")
    args = parser.parse_args(argv)
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with tempfile.TemporaryDirectory() as tmp, fresh_database("bench_pipeline") as name:
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        migrate.upgrade(url)
        with redis_server(Path(tmp), free_port()) as broker:
            queue = f"bench-{uuid.uuid4().hex[:8]}"
            settings = Settings(database_url=url, broker_url=broker, task_queue=queue, tasks_in_process=False)
            flask_app = create_app(settings, MAIL_BACKEND="console")
            env = {k: v for k, v in os.environ.items() if not k.startswith("MATCH_TEST")}
            env |= {
                "DATABASE_URL": url,
                "CELERY_BROKER_URL": broker,
                "CELERY_QUEUE": queue,
                "TASKS_IN_PROCESS": "0",
            }
            with flask_app.app_context(), worker(env, Path(tmp) / "worker.log", args.concurrency):
                with db.new_session() as session:
                    reference.load_reference_data(session=session)
                    seed_needs(session, make_needs(args.needs))
                    timed = registrations(session, args.registrations + 10, offset=0)
                    bulk = registrations(session, args.burst, offset=100_000)
                on_save = embedding_on_save_ms([r.profile.about for r in timed[:50]])
                embeddings.EMBEDDER = PrecomputedEmbedder([r.profile.about for r in [*timed, *bulk]])
                poll = psycopg.connect(
                    f"host=127.0.0.1 port=5432 user=postgres dbname={name}", autocommit=True
                )
                # Warm-up: both pool processes load their code and connections before anything is timed.
                for data in timed[:10]:
                    time_registration(poll, data)
                for _ in range(10):
                    time_ping(poll)
                baseline: list[float] = []
                latency: list[float] = []
                proposed: list[int] = []
                for data in timed[10:]:  # interleaved, so both see the same machine
                    baseline.append(time_ping(poll))
                    ms, found = time_registration(poll, data)
                    latency.append(ms)
                    proposed.append(found)
                produced_s, burst_s, matched = burst(flask_app, poll, bulk, args.producers)
                poll.close()
            db.engine.dispose()
    report(args, baseline, latency, proposed, on_save, produced_s, burst_s, matched)


def report(
    args: argparse.Namespace,
    baseline: list[float],
    latency: list[float],
    proposed: list[int],
    on_save: list[float],
    produced_s: float,
    burst_s: float,
    matched: int,
) -> None:
    rows = [
        (
            "empty task (baseline)",
            len(baseline),
            percentile(baseline, 0.5),
            percentile(baseline, 0.99),
            max(baseline),
        ),
        (
            "registration -> proposals",
            len(latency),
            percentile(latency, 0.5),
            percentile(latency, 0.99),
            max(latency),
        ),
    ]
    rows.append(
        (
            "(embedding on save, in the request)",
            len(on_save),
            percentile(on_save, 0.5),
            percentile(on_save, 0.99),
            max(on_save),
        )
    )
    print_table(("round trip from commit", "n", "p50_ms", "p99_ms", "max_ms"), rows)
    median = statistics.median(proposed)
    print(f"proposals per timed registration: median {median}, none for {proposed.count(0)}")
    print()
    per_s = matched / burst_s if burst_s else 0.0
    print_table(
        ("burst", "registrations", "committed_s", "all_matched_s", "per_s", "lost"),
        [
            (
                f"{args.producers} producers, {args.concurrency} worker processes",
                args.burst,
                produced_s,
                burst_s,
                per_s,
                args.burst - matched,
            )
        ],
    )
    print_json(
        {
            "bench": "pipeline",
            "p50_ms": round(percentile(latency, 0.5), 1),
            "p99_ms": round(percentile(latency, 0.99), 1),
            "baseline_p50_ms": round(percentile(baseline, 0.5), 1),
            "burst": args.burst,
            "burst_per_s": round(per_s, 1),
            "lost": args.burst - matched,
        }
    )


if __name__ == "__main__":
    main()
