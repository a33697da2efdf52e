"""Text-ranking quality of the matcher's text signal on a labelled folder.

    python -m bench.quality ../shared/data/jobtitle-similarity/en
    python -m bench.quality bench/data/jobtitles-de --lang de

The folder holds queries.tsv (id, text), corpus_documents.tsv (id, text) and annotations.tsv
(query id, 0, document id, 1: the relevant pairs). Each query is scored against every document the
way the matcher scores a volunteer's text against a need's (matching.scoring.text_similarity, with the
sentence embeddings the stored profiles would carry); the baseline is plain word TF-IDF, in the same
run. Prints a table, then one line of JSON.

`--lang` only labels the output: the matcher knows a text's language from the text alone (its models are
multilingual), so nothing is set or tuned per language.
"""

import argparse
import math
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer

from bench.common import cached_embeddings, print_json, print_table
from matching.features import Encoder
from matching.scoring import text_similarity
from matching.types import MatchParams, NeedProfile, VolunteerProfile

K = 10


def read_pairs(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            key, text = line.split("\t", 1)
            rows.append((key, text))
    return rows


def read_relevant(path: Path) -> dict[str, set[str]]:
    relevant: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 4 and parts[3].strip() not in ("", "0"):
            relevant.setdefault(parts[0], set()).add(parts[2])
    return relevant


def metrics(
    scores: NDArray[np.float64],
    query_ids: Sequence[str],
    doc_ids: Sequence[str],
    relevant: dict[str, set[str]],
) -> dict[str, float]:
    """Mean NDCG@10, recall@10 (hits / min(10, relevant)) and MRR@10 over queries with judgements."""
    ndcg, recall, mrr = [], [], []
    for i, query in enumerate(query_ids):
        wanted = relevant.get(query)
        if not wanted:
            continue
        # Stable sort on -score: ties go to the earlier document, the same for every method.
        top = [doc_ids[j] for j in np.argsort(-scores[i], kind="stable")[:K]]
        hits = [doc in wanted for doc in top]
        dcg = sum(1 / math.log2(rank + 2) for rank, hit in enumerate(hits) if hit)
        ideal = sum(1 / math.log2(rank + 2) for rank in range(min(K, len(wanted))))
        ndcg.append(dcg / ideal)
        recall.append(sum(hits) / min(K, len(wanted)))
        mrr.append(next((1 / (rank + 1) for rank, hit in enumerate(hits) if hit), 0.0))
    return {"ndcg": float(np.mean(ndcg)), "recall": float(np.mean(recall)), "mrr": float(np.mean(mrr))}


def matcher_scores(
    queries: Sequence[str], documents: Sequence[str], params: MatchParams
) -> NDArray[np.float64]:
    """The matcher's text signal: queries as volunteers' texts, documents as needs' texts."""
    vectors, _ = cached_embeddings([*queries, *documents], log=lambda line: print(line, flush=True))
    volunteers = [
        VolunteerProfile(
            id=i,
            text=text,
            skills=frozenset(),
            languages={},
            slots=(),
            district="",
            location=(0.0, 0.0),
            travel_radius_km=0.0,
            embedding=vectors[i],
        )
        for i, text in enumerate(queries)
    ]
    needs = [
        NeedProfile(
            id=j,
            text=text,
            skills=frozenset(),
            required_languages=frozenset(),
            welcome_languages=frozenset(),
            slots=(),
            district="",
            location=(0.0, 0.0),
            embedding=vectors[len(queries) + j],
        )
        for j, text in enumerate(documents)
    ]
    v, n = Encoder().fit_transform(volunteers, needs, params.today, params.certificate_valid_years)
    return text_similarity(v, n, slice(0, len(volunteers)), slice(0, len(needs)), params.embedding_share)


def word_tfidf_scores(queries: Sequence[str], documents: Sequence[str]) -> NDArray[np.float64]:
    vectoriser = TfidfVectorizer().fit([*queries, *documents])
    product = vectoriser.transform(queries) @ vectoriser.transform(documents).T
    return np.asarray(product.toarray(), dtype=np.float64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--lang", default="", help="the language of the folder's texts, for the output only")
    args = parser.parse_args()
    folder = args.folder
    queries = read_pairs(folder / "queries.tsv")
    documents = read_pairs(folder / "corpus_documents.tsv")
    relevant = read_relevant(folder / "annotations.tsv")
    query_ids, query_texts = [q for q, _ in queries], [t for _, t in queries]
    doc_ids, doc_texts = [d for d, _ in documents], [t for _, t in documents]
    params = MatchParams(today=date.today())

    start = time.perf_counter()
    baseline = metrics(word_tfidf_scores(query_texts, doc_texts), query_ids, doc_ids, relevant)
    baseline_s = time.perf_counter() - start
    start = time.perf_counter()
    ours = metrics(matcher_scores(query_texts, doc_texts, params), query_ids, doc_ids, relevant)
    ours_s = time.perf_counter() - start  # includes embedding any text not yet in the cache

    judged = sum(1 for q in query_ids if relevant.get(q))
    print(
        f"{folder}{f' ({args.lang})' if args.lang else ''}: {judged} judged queries, {len(doc_ids)} documents"
    )
    print_table(
        ["method", "NDCG@10", "recall@10", "MRR@10", "seconds"],
        [
            ["word TF-IDF (baseline)", baseline["ndcg"], baseline["recall"], baseline["mrr"], baseline_s],
            ["matcher text signal", ours["ndcg"], ours["recall"], ours["mrr"], ours_s],
            [
                "ratio vs baseline",
                ours["ndcg"] / baseline["ndcg"],
                ours["recall"] / baseline["recall"],
                ours["mrr"] / baseline["mrr"],
                "",
            ],
        ],
    )
    print_json(
        {
            "bench": "quality",
            **({"lang": args.lang} if args.lang else {}),
            "queries": judged,
            "ndcg_at_10": round(ours["ndcg"], 4),
            "recall_at_10": round(ours["recall"], 4),
            "mrr_at_10": round(ours["mrr"], 4),
            "baseline_ndcg_at_10": round(baseline["ndcg"], 4),
        }
    )


if __name__ == "__main__":
    main()
