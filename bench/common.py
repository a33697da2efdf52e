"""Shared benchmark helpers: median timing, peak memory, thread caps, an embedding cache, output.

Thread caps: every timed part runs inside `thread_cap(n)` (threadpoolctl caps BLAS and OpenMP pools),
and peers get the same n through their own arguments (sparse_dot_topn's n_threads, faiss's
omp_set_num_threads), so that no contestant uses more cores than another on a shared machine.
"""

import hashlib
import json
import os
import resource
import socket
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import psutil
import psycopg
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from matching.embedding import DIMENSIONS, MODEL_NAME, FusedEmbedder

T = TypeVar("T")
PG_ADMIN = os.environ.get("BENCH_PG", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")


def timed(fn: Callable[[], T], repeats: int) -> tuple[float, list[float], list[float], T]:
    """Median wall seconds of `repeats` calls, all wall and CPU (all threads) seconds, the last result.

    CPU seconds are reported beside wall seconds because on a shared machine they move far less.
    """
    walls: list[float] = []
    cpus: list[float] = []
    result: T | None = None
    for _ in range(max(1, repeats)):
        result = None  # drop the previous result first, so two never sit in memory at once
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    assert result is not None
    return statistics.median(walls), walls, cpus, result


def timed_once(fn: Callable[[], T]) -> tuple[float, float, T]:
    """Wall and CPU seconds of one call, and its result."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - start, time.process_time() - cpu, result


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    return float(psutil.Process().memory_info().rss) / 2**20


class RssSampler:
    """Samples the resident memory in a thread: the peak within one phase, which ru_maxrss cannot give."""

    def __init__(self, interval_s: float = 0.01) -> None:
        self.interval_s = interval_s
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        process = psutil.Process()
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, process.memory_info().rss / 2**20)
            self._stop.wait(self.interval_s)

    def __enter__(self) -> "RssSampler":
        self.peak_mb = rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, rss_mb())


@contextmanager
def thread_cap(threads: int) -> Iterator[None]:
    with threadpool_limits(limits=threads):
        yield


def cache_dir() -> Path:
    path = Path(os.environ.get("IAM_BENCH_CACHE", Path.home() / ".cache" / "iam-bench"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def cached_embeddings(
    texts: Sequence[str], batch: int = 64, log: Callable[[str], None] = print
) -> tuple[NDArray[np.float32], int]:
    """The app's embeddings of `texts` (matching.embedding.FusedEmbedder, rows in order) and how many
    had to be computed.

    The cache is keyed by a hash of each text, so runs of different sizes share the texts they have
    in common; it is saved after every few batches, so an interrupted warm-up resumes where it stopped.
    """
    store = cache_dir() / f"{MODEL_NAME}.npz"
    known: dict[str, NDArray[np.float32]] = {}
    if store.exists():
        with np.load(store) as data:
            known = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
    keys = [_text_key(t) for t in texts]
    # By length, so that each batch pads little; texts repeat, so each is embedded once.
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items(), key=_length)
    if missing:
        model = FusedEmbedder()  # loads the models only when something is missing
        log(f"embedding {len(missing)} texts with {MODEL_NAME} (cache: {store})")
        start = time.perf_counter()
        for offset in range(0, len(missing), batch):
            part = missing[offset : offset + batch]
            vectors = model.embed([t for _, t in part])
            known.update(zip([k for k, _ in part], vectors, strict=True))
            done = offset + len(part)
            if done % (batch * 4) == 0 or done == len(missing):
                _save(store, known)
                rate = done / (time.perf_counter() - start)
                log(f"  {done}/{len(missing)} embedded, {rate:.1f} texts/s")
    result = np.stack([known[k] for k in keys]) if keys else np.zeros((0, DIMENSIONS), np.float32)
    return result.astype(np.float32, copy=False), len(missing)


def _length(item: tuple[str, str]) -> tuple[int, str]:
    return len(item[1]), item[0]


def _save(store: Path, known: dict[str, NDArray[np.float32]]) -> None:
    partial = store.with_suffix(".partial.npz")
    np.savez(partial, keys=np.array(list(known)), vectors=np.stack(list(known.values())))
    partial.replace(store)  # atomic, so a killed run never leaves a broken cache


def print_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Left-aligned first column, right-aligned numbers."""
    cells = [[str(c) for c in header]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        first = row[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))])

    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:.1f}"
    return str(value)


def print_json(payload: dict[str, Any]) -> None:
    """The one machine-readable line; it must stay the last line of the output."""
    print(json.dumps(payload, ensure_ascii=False), flush=True)


def percentile(values: Sequence[float], q: float) -> float:
    """The value at quantile q (0..1) of the values: nearest rank, no interpolation."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextmanager
def fresh_database(prefix: str) -> Iterator[str]:
    """The name of a new PostgreSQL database (BENCH_PG: where), dropped afterwards whatever happens."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=10) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
