"""The whole matcher at scale beside two peers, on the same synthetic data in the same run.

    .venv/bin/python -m bench.scale                                   # 100,000 volunteers × 10,000 needs
    .venv/bin/python -m bench.scale --volunteers 10000 --needs 1000   # a quick run
    .venv/bin/python -m bench.scale --profile                         # plus cProfile of one match()
    .venv/bin/python -m bench.scale --embeddings random               # no embedding model run at all

Peers: TfidfVectorizer(char_wb) + sparse_dot_topn.sp_matmul_topn on the texts alone, and faiss
IndexFlatIP on the embeddings alone (their e5 part: 384 dimensions, as many as the matcher's
projection of both models multiplies), both top k volunteers per need. ratio = pipeline_s / peer_s, with
peer_s the sum of the peers' medians. Embeddings of the distinct texts are computed (or loaded from
the cache) before any timing. peak_rss_mb is the process's peak up to the end of the pipeline runs: the
peers run afterwards, so their own memory (reported in the table) cannot hide the matcher's.
Everything runs under one thread cap (--threads, default all cores; the peers get the same number);
cpu_s (all threads) is printed beside wall seconds because on a shared machine it moves far less.
pipeline_s times match() to its result: every chosen pair with its score and signals, as columns,
followed, as in the nightly task (workers.tasks), by workers.memory.release_free_memory, which returns
what the run freed to the system: the next run, like the next night's, starts from the memory a worker
holds between runs, not from the last run's high-water mark.
The Proposal objects with their reasons and strongest signal are built when read (the nightly run reads
the few thousand it assigns, not millions); the table reports, apart from the ratio, what reading all
of them would add, timed on a sample after the pipeline runs.
"""

import argparse
import cProfile
import io
import os
import pstats
import time
from collections.abc import Iterable, Sequence
from dataclasses import fields, replace
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from bench.common import (
    RssSampler,
    cached_embeddings,
    peak_rss_mb,
    print_json,
    print_table,
    rss_mb,
    thread_cap,
    timed,
    timed_once,
)
from bench.synthetic import TODAY, distinct_texts, make_needs, make_volunteers
from matching.constraints import CONSTRAINTS, constraint_masks, eligible, make_block
from matching.embedding import DIMENSIONS, MODEL_NAME, PARTS
from matching.features import Encoder
from matching.pipeline import match
from matching.types import MatchParams, NeedProfile, Proposal, VolunteerProfile
from workers.memory import release_free_memory

P = TypeVar("P", VolunteerProfile, NeedProfile)
READ_SAMPLE = 100_000  # proposals read after timing, to report what building their reasons costs


def with_embeddings(profiles: Sequence[P], vectors: NDArray[np.float32], rows: NDArray[np.int64]) -> list[P]:
    """Fills the profiles' `embedding` field where the profile type has one (rows are views, no copies)."""
    if not profiles or "embedding" not in {f.name for f in fields(type(profiles[0]))}:
        return list(profiles)
    # Through a dict, so the type checker accepts the call before and after the field exists.
    return [replace(p, **{"embedding": vectors[r]}) for p, r in zip(profiles, rows.tolist(), strict=True)]


def nightly_match(
    volunteers: Sequence[VolunteerProfile], needs: Sequence[NeedProfile], params: MatchParams
) -> Sequence[Proposal]:
    """match(), then what the nightly task does after its full run: the freed memory goes back."""
    proposals = match(volunteers, needs, params)
    release_free_memory()
    return proposals


def random_unit(texts: Sequence[str], seed: int = 0) -> NDArray[np.float32]:
    vectors = np.random.default_rng(seed).standard_normal((len(texts), DIMENSIONS), dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def eligible_share(
    volunteers: Sequence[VolunteerProfile], needs: Sequence[NeedProfile], sample: int, seed: int
) -> tuple[float, dict[str, float]]:
    """The share of eligible pairs on a random sample, and the share each hard constraint lets pass."""
    rng = np.random.default_rng(seed)
    vs = [volunteers[i] for i in rng.choice(len(volunteers), min(sample, len(volunteers)), replace=False)]
    ns = [needs[i] for i in rng.choice(len(needs), min(max(1, sample // 4), len(needs)), replace=False)]
    v, n = Encoder().fit_transform(vs, ns, TODAY, MatchParams(today=TODAY).certificate_valid_years)
    masks = constraint_masks(v, n, make_block(v, n, slice(0, len(vs)), slice(0, len(ns))))
    return float(eligible(masks).mean()), {name: float(masks[name].mean()) for name in CONSTRAINTS}


def tfidf_peer(
    volunteer_texts: list[str], need_texts: list[str], k: int, threads: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    """(wall, CPU) seconds to vectorise all texts, and to find the top k volunteers per need."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sparse_dot_topn import sp_matmul_topn

    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32)
    wall, cpu, matrix = timed_once(lambda: vectoriser.fit_transform(volunteer_texts + need_texts))
    needs, volunteers = matrix[len(volunteer_texts) :], matrix[: len(volunteer_texts)]
    top_wall, top_cpu, top = timed_once(lambda: sp_matmul_topn(needs, volunteers, top_n=k, n_threads=threads))
    assert top.shape == (len(need_texts), len(volunteer_texts))
    return (wall, cpu), (top_wall, top_cpu)


def faiss_peer(
    volunteer_vectors: NDArray[np.float32], need_vectors: NDArray[np.float32], k: int
) -> tuple[float, float]:
    """(wall, CPU) seconds to index the volunteers and find the top k per need."""
    import faiss

    def run() -> NDArray[np.int64]:
        index = faiss.IndexFlatIP(volunteer_vectors.shape[1])
        index.add(volunteer_vectors)
        found: NDArray[np.int64] = index.search(need_vectors, k)[1]
        return found

    wall, cpu, found = timed_once(run)
    assert found.shape == (len(need_vectors), k)
    return wall, cpu


def profile_match(
    volunteers: Sequence[VolunteerProfile], needs: Sequence[NeedProfile], params: MatchParams
) -> None:
    """One match() under cProfile: the library's functions by cumulative time, then the top functions
    by own time. The profiler counts CPU seconds (all threads), which a loaded machine distorts less
    than wall seconds."""
    profiler = cProfile.Profile(time.process_time)
    start, cpu_start = time.perf_counter(), time.process_time()
    profiler.runcall(match, volunteers, needs, params)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    stats = pstats.Stats(profiler)
    table: dict[tuple[str, int, str], tuple[int, int, float, float, object]] = vars(stats)["stats"]
    # Every function of the library by cumulative time: names change while the matcher is reworked.
    rows = [
        (f"{Path(file).stem}.{name}", calls, own, cumulative, 100 * cumulative / cpu)
        for (file, _line, name), (_cc, calls, own, cumulative, _callers) in table.items()
        if f"{os.sep}matching{os.sep}" in file
    ]
    rows.sort(key=lambda row: -row[3])
    print(f"\nprofile of one match(), with profiling overhead: {cpu:.1f} CPU s, {wall:.1f} s wall")
    print_table(("function (matching.*)", "calls", "own_cpu_s", "cumulative_cpu_s", "% of CPU"), rows[:30])
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    print("\ntop 25 functions by own CPU time:")
    print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample", type=int, default=2000, help="volunteers sampled for the eligible share")
    parser.add_argument("--profile", action="store_true", help="also profile one match() with cProfile")
    parser.add_argument(
        "--embeddings",
        choices=("models", "random"),
        default="models",
        help="random: seeded unit vectors per distinct text, same cost for matcher and faiss but no meaning "
        "(for a loaded machine where embedding thousands of texts takes too long)",
    )
    args = parser.parse_args(argv)

    start = time.perf_counter()
    volunteers, needs = make_volunteers(args.volunteers, args.seed), make_needs(args.needs, args.seed)
    generated_s = time.perf_counter() - start
    texts, (volunteer_rows, need_rows) = distinct_texts(volunteers, needs)
    start = time.perf_counter()
    vectors, computed = cached_embeddings(texts) if args.embeddings == "models" else (random_unit(texts), 0)
    embedded_s = time.perf_counter() - start
    volunteers, needs = (
        with_embeddings(volunteers, vectors, volunteer_rows),
        with_embeddings(needs, vectors, need_rows),
    )
    filled = any(f.name == "embedding" for f in fields(VolunteerProfile))
    embedded = (
        f"{MODEL_NAME} ({DIMENSIONS}-d stored), {computed} computed, {len(texts) - computed} from the cache"
        if args.embeddings == "models"
        else "RANDOM unit vectors (cost-equivalent, meaningless)"
    )
    print(
        f"data: {len(volunteers)} volunteers, {len(needs)} needs, {len(texts)} distinct texts; generated in "
        f"{generated_s:.1f} s; embeddings of the distinct texts, outside timing: "
        + embedded
        + f", {embedded_s:.1f} s; "
        f"profiles' embedding field {'filled' if filled else 'absent: embeddings only used by faiss'}"
    )
    share, passes = eligible_share(volunteers, needs, args.sample, args.seed)
    sampled = f"{args.sample} × {max(1, args.sample // 4)}"
    print(f"eligible pairs (sample {sampled}): {share:.1%}; pass rate per constraint:")
    print("  " + ", ".join(f"{name} {rate:.0%}" for name, rate in passes.items()))

    params = MatchParams(today=TODAY, top_k=args.k, threads=args.threads)
    baseline = rss_mb()  # the profiles and embeddings themselves, before the matcher runs
    with thread_cap(args.threads), RssSampler() as pipeline_rss:
        timing = timed(lambda: nightly_match(volunteers, needs, params), args.repeats)
        pipeline_s, pipeline_runs, pipeline_cpu, proposals = timing
    process_peak = peak_rss_mb()  # before the peers, whose memory would otherwise hide the matcher's
    print(f"pipeline done: {_runs(pipeline_runs)} s wall, peak RSS {process_peak:.0f} MB", flush=True)
    count = _check(proposals)
    # match() returns the chosen pairs with their scores and signals as columns; each Proposal object
    # with its reasons (shared skills, matching slots, ...) is built when read. Timed apart, on a
    # sample, so the table shows what reading all of them would add.
    sample = min(count, READ_SAMPLE)
    read_s, _, _ = timed_once(partial(proposals.__getitem__, slice(0, sample)))
    read_us = read_s / max(1, sample) * 1e6
    del proposals

    volunteer_texts, need_texts = [v.text for v in volunteers], [n.text for n in needs]
    e5 = slice(0, PARTS[0][1])
    volunteer_vectors = np.ascontiguousarray(vectors[volunteer_rows, e5])
    need_vectors = np.ascontiguousarray(vectors[need_rows, e5])
    with thread_cap(args.threads), RssSampler() as tfidf_rss:
        runs = [tfidf_peer(volunteer_texts, need_texts, args.k, args.threads) for _ in range(args.repeats)]
    vectorise_s, topn_s = _median([r[0][0] for r in runs]), _median([r[1][0] for r in runs])
    import faiss  # imported here so its OpenMP pool is capped like the others

    faiss.omp_set_num_threads(args.threads)
    with thread_cap(args.threads), RssSampler() as faiss_rss:
        faiss_runs = [faiss_peer(volunteer_vectors, need_vectors, args.k) for _ in range(args.repeats)]
    faiss_s = _median([r[0] for r in faiss_runs])
    peer_s = vectorise_s + topn_s + faiss_s

    print(
        f"\n{args.volunteers} volunteers × {args.needs} needs, k={args.k}, {args.threads} threads, "
        f"median of {args.repeats}; {count} proposals"
    )
    print_table(
        ("part", "median_s", "cpu_s", "runs_s", "peak_rss_mb", "ratio"),
        [
            (
                "pipeline: match()",
                pipeline_s,
                _median(pipeline_cpu),
                _runs(pipeline_runs),
                pipeline_rss.peak_mb,
                1.0,
            ),
            (
                "peer: TfidfVectorizer",
                vectorise_s,
                _cpu(r[0] for r in runs),
                _runs(r[0][0] for r in runs),
                tfidf_rss.peak_mb,
                "",
            ),
            ("peer: sp_matmul_topn", topn_s, _cpu(r[1] for r in runs), _runs(r[1][0] for r in runs), "", ""),
            (
                "peer: faiss IndexFlatIP",
                faiss_s,
                _cpu(faiss_runs),
                _runs(r[0] for r in faiss_runs),
                faiss_rss.peak_mb,
                "",
            ),
            ("peers total", peer_s, "", "", "", pipeline_s / peer_s),
            (f"(apart: reading all {count} as Proposal objects)", read_us * count / 1e6, "", "", "", ""),
            ("process RSS before pipeline (data)", "", "", "", baseline, ""),
            ("process peak through pipeline", "", "", "", process_peak, ""),
            ("process peak at end", "", "", "", peak_rss_mb(), ""),
        ],
    )
    print(f"eligible share of pairs: {share:.1%}")
    print(f"Proposal objects with reasons, built on reading: {read_us:.1f} µs each (first {sample} timed)")
    if args.profile:
        with thread_cap(args.threads):
            profile_match(volunteers, needs, params)
    print_json(
        {
            "bench": "scale",
            "volunteers": args.volunteers,
            "needs": args.needs,
            "k": args.k,
            "pipeline_s": round(pipeline_s, 3),
            "peer_s": round(peer_s, 3),
            "ratio_vs_peer": round(pipeline_s / peer_s, 3),
            "peak_rss_mb": round(process_peak, 1),
        }
    )


def _runs(times: Iterable[float]) -> str:
    return " ".join(f"{t:.2f}" for t in times)


def _median(values: Iterable[float]) -> float:
    return float(np.median(list(values)))


def _cpu(timings: Iterable[tuple[float, float]]) -> float:
    """The median CPU seconds of (wall, CPU) pairs."""
    return _median(cpu for _, cpu in timings)


def _check(proposals: Sequence[Proposal]) -> int:
    """A cheap sanity check that the matcher did its job, so a broken run cannot pass as fast."""
    assert proposals, "the matcher proposed nothing"
    return len(proposals)


if __name__ == "__main__":
    main()
