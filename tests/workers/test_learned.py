"""The nightly fit re-weights the signals by coordinators' decisions once there are enough."""

import random
from collections.abc import Callable
from datetime import date

from sqlmodel import Session

from app.proposals.models import ProposalStatus
from matching.scoring import SIGNALS
from matching.types import MatchParams
from tests import factories
from workers.learned import learned_params

TODAY_PARAMS = MatchParams(today=date(2026, 11, 25))


def decide(session: Session, count: int, approve: Callable[[dict[str, float]], bool]) -> None:
    rng = random.Random(4)
    # Every volunteer × need pair once: few accounts to create, many decisions.
    volunteers = [factories.make_volunteer(session) for _ in range(10)]
    needs = [factories.make_need(session) for _ in range(-(-count // 10))]
    for i in range(count):
        values = {name: round(rng.random(), 3) for name in SIGNALS}
        status = ProposalStatus.APPROVED if approve(values) else ProposalStatus.REJECTED
        factories.make_proposal(
            session,
            volunteer=volunteers[i % 10],
            need=needs[i // 10],
            status=status,
            reasons={"signals": values},
        )


def test_with_few_decisions_the_hand_set_weights_stay(session: Session) -> None:
    decide(session, 20, lambda values: values["distance"] > 0.5)
    assert learned_params(session, TODAY_PARAMS) == TODAY_PARAMS


def test_decisions_that_follow_distance_put_most_weight_on_distance(session: Session) -> None:
    decide(session, 120, lambda values: values["distance"] > 0.5)
    learned = learned_params(session, TODAY_PARAMS)
    weights = {name: getattr(learned, f"weight_{name}") for name in SIGNALS}
    assert max(weights, key=weights.__getitem__) == "distance"
    assert abs(sum(weights.values()) - 1.0) < 1e-6
