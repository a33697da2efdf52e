"""Signal weights learned from the coordinators' decisions on past proposals.

Each stored proposal carries its signal values (reasons["signals"]) and a coordinator approved or
rejected it. `learn_weights` fits weights to these decisions and keeps them only when they rank the
decisions better than the hand-set weights in cross-validation; otherwise it returns the hand-set
weights, so that learning does not make the matcher worse than the configuration it starts from.

Method: a logistic regression of approval on the signals with the coefficients bounded to be
non-negative (scipy's L-BFGS-B; scikit-learn's LogisticRegression has no such bound). The matcher
ranks by the weighted sum w·x with w ≥ 0 summing to 1; the logit b + β·x with β ≥ 0 ranks exactly as
the weighted sum with w = β / Σβ, so the fitted model *is* the deployed score, and the cross-validation
scores the weights as the matcher will use them. Fitting with the bound, rather than fitting freely
and clipping negative coefficients afterwards, matters when signals are correlated: the others were
fitted to compensate for the clipped one. The fit is convex and deterministic; the only randomness
is the shuffling of the folds.

The model is compared with the hand-set weights by ROC AUC, the chance that an approved proposal
outranks a rejected one: the matcher only ranks, and AUC needs no calibration of the hand-set score.
The learned weights are adopted only when their mean AUC gain over the folds is significant by a
one-sided corrected resampled t-test (Nadeau & Bengio, 2003): with a few hundred decisions pure
noise would otherwise win half the time by chance.

Caveat: coordinators only see what the matcher proposed, so the decisions say how to order the
proposals among candidates the current weights already favour, not how to rank all pairs.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special, stats
from sklearn.model_selection import RepeatedStratifiedKFold
from threadpoolctl import threadpool_limits

from matching.types import MatchParams

Array = NDArray[np.float64]

N_SPLITS = 5
N_REPEATS = 3
# L2 strength as scikit-learn's default C = 1: the penalty ½‖β‖² against the summed log loss.
C = 1.0


@dataclass(frozen=True)
class LearnedWeights:
    """The weights to use, and the evidence for them.

    source: "learned" when the learned weights beat the fallback in cross-validation, else "fallback".
    reason: why — "learned", "too_few_decisions", "one_class" (too few of approved or rejected to
      cross-validate), "no_signal" (no signal raises the chance of approval) or "no_gain".
    cv_learned, cv_fallback: mean ROC AUC over the folds (None when no cross-validation ran).
    gain: cv_learned - cv_fallback; gain_lower: its one-sided lower confidence bound.
    """

    weights: dict[str, float]
    source: Literal["learned", "fallback"]
    reason: Literal["learned", "too_few_decisions", "one_class", "no_signal", "no_gain"]
    n_decisions: int
    cv_learned: float | None = None
    cv_fallback: float | None = None
    gain: float | None = None
    gain_lower: float | None = None


def learn_weights(
    signals: NDArray[np.floating],
    approved: NDArray[np.bool_],
    names: Sequence[str],
    fallback: Mapping[str, float],
    min_decisions: int = 50,
    random_state: int = 0,
    *,
    confidence: float = 0.95,
) -> LearnedWeights:
    """Weights for `names` learned from decisions, or the fallback when they would not do better.

    signals: one row per decided proposal, one column per name, values in [0, 1].
    approved: per row, True if the coordinator approved the proposal.
    fallback: the hand-set weights (e.g. scoring.weights(params)); names it lacks weigh 0, keys
      outside `names` are ignored, and the rest is normalised to sum to 1.
    confidence: of the t-test on the gain; 0.5 adopts any positive mean gain.
    """
    names = list(names)
    x = np.asarray(signals, dtype=np.float64)
    y = np.asarray(approved, dtype=bool)
    if not names or len(set(names)) != len(names):
        raise ValueError("names must be non-empty and distinct")
    if x.ndim != 2 or x.shape[1] != len(names) or y.shape != (x.shape[0],):
        raise ValueError(f"signals must be n × {len(names)} and approved of length n")
    if not np.all(np.isfinite(x)):
        raise ValueError("signals must be finite")
    if not 0.5 <= confidence < 1:
        raise ValueError("confidence must be in [0.5, 1)")
    base = _fallback_weights(names, fallback)
    n = x.shape[0]
    if n < min_decisions:
        return LearnedWeights(base, "fallback", "too_few_decisions", n)
    minority = int(min(y.sum(), n - y.sum()))
    if minority < 2:
        return LearnedWeights(base, "fallback", "one_class", n)
    # The problems are tiny (n × a few signals): BLAS threads only add overhead, and on a busy machine
    # they made L-BFGS-B ten times slower.
    with threadpool_limits(limits=1, user_api="blas"):
        return _learn(x, y, names, base, min(N_SPLITS, minority), random_state, confidence)


def _learn(
    x: Array,
    y: NDArray[np.bool_],
    names: list[str],
    base: dict[str, float],
    n_splits: int,
    random_state: int,
    confidence: float,
) -> LearnedWeights:
    w_base = np.array([base[name] for name in names])
    learned_auc, fallback_auc = [], []
    folds = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=N_REPEATS, random_state=random_state)
    for train, test in folds.split(x, y):
        w = _fit(x[train], y[train])
        # All-zero weights rank every pair alike: AUC 0.5.
        learned_auc.append(0.5 if w is None else _auc(y[test], x[test] @ w))
        fallback_auc.append(_auc(y[test], x[test] @ w_base))

    d = np.array(learned_auc) - np.array(fallback_auc)
    k = len(d)
    # Nadeau & Bengio: the folds share training rows, so var/k understates the variance of the mean
    # gain; their correction adds the ratio of test to training rows.
    se = float(np.sqrt(d.var(ddof=1) * (1 / k + 1 / (n_splits - 1))))
    gain = float(d.mean())
    lower = gain - float(stats.t.ppf(confidence, k - 1)) * se
    n = len(y)
    cv = {
        "cv_learned": float(np.mean(learned_auc)),
        "cv_fallback": float(np.mean(fallback_auc)),
        "gain": gain,
        "gain_lower": lower,
    }
    if not (gain > 0 and lower > 0):
        return LearnedWeights(base, "fallback", "no_gain", n, **cv)
    w = _fit(x, y)
    if w is None:
        return LearnedWeights(base, "fallback", "no_signal", n, **cv)
    return LearnedWeights(dict(zip(names, w.tolist(), strict=True)), "learned", "learned", n, **cv)


def apply(params: MatchParams, learned: LearnedWeights | Mapping[str, float]) -> MatchParams:
    """`params` with its weight_<name> fields set to the learned weights.

    Names without such a field are dropped (the rest renormalised), and a signal MatchParams weighs
    but the learned weights lack keeps its current share, so the weights still sum to 1.
    """
    weights = learned.weights if isinstance(learned, LearnedWeights) else learned
    known = {f.name.removeprefix("weight_") for f in fields(MatchParams) if f.name.startswith("weight_")}
    current = {name: float(getattr(params, f"weight_{name}")) for name in known}
    total = sum(current.values()) or 1.0
    kept = {name: value / total for name, value in current.items() if name not in weights}
    usable = {name: max(float(value), 0.0) for name, value in weights.items() if name in known}
    usable_total = sum(usable.values())
    if usable_total <= 0:
        return params
    room = 1.0 - sum(kept.values())
    new = kept | {name: room * value / usable_total for name, value in usable.items()}
    return replace(params, **{f"weight_{name}": value for name, value in new.items()})  # type: ignore[arg-type]


def _fallback_weights(names: Sequence[str], fallback: Mapping[str, float]) -> dict[str, float]:
    raw = {name: float(fallback.get(name, 0.0)) for name in names}
    if any(not np.isfinite(v) or v < 0 for v in raw.values()):
        raise ValueError("fallback weights must be finite and non-negative")
    total = sum(raw.values())
    if total <= 0:
        # No usable hand-set weights: weigh every signal alike rather than score everything 0.
        return {name: 1.0 / len(names) for name in names}
    return {name: value / total for name, value in raw.items()}


def _fit(x: Array, y: NDArray[np.bool_]) -> Array | None:
    """The non-negative logistic coefficients normalised to sum to 1, or None if all are 0."""
    m = x.shape[1]
    t = y.astype(np.float64)

    def loss(params: Array) -> tuple[float, Array]:
        b, beta = params[0], params[1:]
        z = b + x @ beta
        # log(1 + e^z) - t·z, computed without overflow.
        value = float(np.sum(np.logaddexp(0.0, z) - t * z) + 0.5 / C * beta @ beta)
        residual = special.expit(z) - t
        grad = np.concatenate(([residual.sum()], x.T @ residual + beta / C))
        return value, grad

    start = np.zeros(m + 1)
    start[0] = special.logit(np.clip(t.mean(), 1e-6, 1 - 1e-6))
    bounds = [(None, None)] + [(0.0, None)] * m
    result = optimize.minimize(
        loss, start, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 1000}
    )
    beta = np.maximum(np.asarray(result.x[1:], dtype=np.float64), 0.0)
    total = beta.sum()
    # Coefficients this small change no ranking; treat them as no signal rather than divide by ~0.
    if total <= 1e-8 * max(1.0, abs(float(result.x[0]))):
        return None
    return beta / total


def _auc(y: NDArray[np.bool_], score: Array) -> float:
    """ROC AUC by the rank-sum (Mann–Whitney) formula, ties counting half as in roc_auc_score.

    Equal to scikit-learn's roc_auc_score, without its input validation, which dominated the run time.
    """
    ranks = stats.rankdata(score)
    positives = int(y.sum())
    negatives = len(y) - positives
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))
