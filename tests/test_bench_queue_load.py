"""bench.queue_load works end to end at a tiny size: seeds, serves, loads, reports, cleans up."""

import json
import re
import subprocess
import sys
from pathlib import Path

import psycopg

from tests.support.services import PG_HOST, PG_PORT, PG_USER, require_postgres

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--proposals", "200", "--volunteers", "100", "--needs", "20", "--users", "5"]
SHORT = ["--idle", "2", "--warmup", "1", "--duration", "5", "--timeout", "20"]


def database_exists(name: str) -> bool:
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres") as connection:
        return (
            connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
        )


def test_a_tiny_run_reports_the_queue_beside_the_static_page_without_failures() -> None:
    require_postgres()
    run = subprocess.run(
        [sys.executable, "-m", "bench.queue_load", *TINY, *SHORT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert figures["bench"] == "queue_load"
    assert figures["proposals"] == 200
    assert figures["users"] == 5
    assert figures["failures"] == 0, output
    assert figures["queue_idle_p50_ms"] > 0, output  # the queue itself answered
    assert figures["static_p95_ms"] > 0, output  # the baseline was measured under load
    assert "idle: queue" in run.stdout and "\nstatic /static/site.css" in run.stdout
    database = re.search(r"seeded database (\w+)", run.stdout)
    assert database is not None, output
    assert not database_exists(database.group(1))  # dropped again
