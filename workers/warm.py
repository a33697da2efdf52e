"""The worker's warm matcher: fitted once per process, kept between tasks, refreshed as data changes.

Before each single-profile task the state catches up with the profiles saved since the last task
(`updated_at`), adding them on the fitted basis: matching one new registration refits nothing. It is
fitted again when that cannot be exact any more: a profile was deleted, a pairing changed places or
capacities, the day changed (ages, certificates), or the nightly full run.
"""

import gc
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.base import utcnow
from app.needs.models import Need
from app.pairings.models import Pairing
from app.pairings.services import BUSY_STATUSES
from app.volunteers.models import Volunteer
from matching.matcher import Matcher
from matching.types import MatchParams, Proposal
from workers.convert import load_needs, load_volunteers
from workers.embeddings import with_embeddings
from workers.learned import learned_params
from workers.memory import release_free_memory

log = logging.getLogger(__name__)

# Longer than any web transaction takes between setting updated_at and committing.
OVERLAP = timedelta(minutes=2)


@dataclass
class WarmState:
    matcher: Matcher | None = None
    synced_at: datetime | None = None
    pairings: tuple[int, int] = (0, 0)
    today: date | None = None
    database: str = ""  # the state belongs to one database (tests switch between several)
    # updated_at of each profile as the state holds it: the overlap then re-reads only real changes.
    seen_volunteers: dict[int, datetime] = field(default_factory=dict)
    seen_needs: dict[int, datetime] = field(default_factory=dict)
    fits: int = field(default=0)  # how often this process fitted from scratch (tests read it)


STATE = WarmState()


def _pairings_version(session: Session) -> tuple[int, int]:
    """Changes whenever a pairing starts or stops occupying a place and a volunteer."""
    busy_count = func.count().filter(col(Pairing.status).in_(BUSY_STATUSES))
    busy, newest = session.exec(select(busy_count, func.max(Pairing.id))).one()
    return int(busy or 0), int(newest or 0)


def _database(session: Session) -> str:
    return str(session.get_bind().engine.url)


def fit(session: Session, params: MatchParams) -> Matcher:
    """Fits from scratch on every volunteer and every open need (embedding texts not yet embedded)."""
    started = utcnow()
    # The state fitted before is dropped first, not when the new one replaces it: both at once would
    # add 800 MB to the run at 100,000 volunteers.
    STATE.matcher = None
    gc.unfreeze()  # the state fitted before becomes collectable again (see the freeze below)
    volunteers = with_embeddings(session, load_volunteers(session=session))
    needs = with_embeddings(session, load_needs(session=session, open_only=True))
    matcher = Matcher(learned_params(session, params)).fit(volunteers, needs)
    STATE.matcher, STATE.synced_at, STATE.today = matcher, started, params.today
    STATE.database = _database(session)
    STATE.seen_volunteers = _updated(session, Volunteer, None)
    STATE.seen_needs = _updated(session, Need, None)
    STATE.pairings = _pairings_version(session)
    STATE.fits += 1
    # The fitted state is millions of long-lived objects; frozen, the collector's full passes skip
    # them, which would otherwise stall single-profile tasks by tens of milliseconds now and then.
    # (Garbage frozen with them is collected after the next fit's unfreeze.)
    gc.freeze()
    log.info("matcher fitted on %s volunteers and %s open needs", len(volunteers), len(needs))
    return matcher


def synced(
    session: Session, params: MatchParams, volunteer_ids: Sequence[int] = (), need_ids: Sequence[int] = ()
) -> Matcher:
    """The warm matcher, with the task's own profiles loaded fresh and the other side caught up.

    A volunteer's task needs current needs (and a need's task current volunteers); profiles of its
    own side changed meanwhile are caught up by their own tasks. Changes are found by `updated_at`
    with an overlap, since a row saved just before the last sync may have been committed after it.
    """
    matcher = STATE.matcher
    if (
        matcher is None
        or STATE.synced_at is None
        or STATE.today != params.today
        or STATE.database != _database(session)
        or STATE.pairings != _pairings_version(session)
    ):
        fit(session, params)
        return _with_bars(STATE.matcher)
    since = STATE.synced_at - OVERLAP
    started = utcnow()
    if volunteer_ids:
        changed_n = _changed(_updated(session, Need, since), STATE.seen_needs)
        _upsert(session, matcher, volunteer_ids=list(volunteer_ids), need_ids=changed_n)
    if need_ids:
        changed_v = _changed(_updated(session, Volunteer, since), STATE.seen_volunteers)
        _upsert(session, matcher, volunteer_ids=changed_v, need_ids=list(need_ids))
    STATE.synced_at = started
    return matcher


def _updated(
    session: Session, model: type[Volunteer] | type[Need], since: datetime | None
) -> dict[int, datetime]:
    query = select(model.id, model.updated_at)
    if since is not None:
        query = query.where(col(model.updated_at) >= since)
    return {i: at for i, at in session.exec(query) if i is not None}


def _changed(current: dict[int, datetime], seen: dict[int, datetime]) -> list[int]:
    changed = sorted(i for i, at in current.items() if seen.get(i) != at)
    seen.update({i: current[i] for i in changed})
    return changed


def _upsert(session: Session, matcher: Matcher, volunteer_ids: list[int], need_ids: list[int]) -> None:
    volunteers = load_volunteers(session=session, ids=volunteer_ids) if volunteer_ids else []
    # Loaded whatever their status: a closed need stays in the state as paused, proposed to no one.
    needs = load_needs(session=session, ids=need_ids) if need_ids else []
    gone_v = set(volunteer_ids) - {v.id for v in volunteers}
    gone_n = set(need_ids) - {n.id for n in needs}
    if gone_v or gone_n:
        matcher.remove(volunteer_ids=sorted(gone_v), need_ids=sorted(gone_n))
    if volunteers:
        matcher.upsert_volunteers(with_embeddings(session, volunteers))
    if needs:
        matcher.upsert_needs(with_embeddings(session, needs))


def existing(session: Session, proposals: list[Proposal], check_volunteers: bool = True) -> list[Proposal]:
    """Drops proposals of profiles deleted since they were fitted (erasure), and forgets those.

    A task that loaded its own volunteers afresh in this transaction need not check them again.
    """
    volunteer_ids = {p.volunteer_id for p in proposals}
    need_ids = {p.need_id for p in proposals}
    live_v = (
        set(session.exec(select(Volunteer.id).where(col(Volunteer.id).in_(volunteer_ids))))
        if check_volunteers
        else volunteer_ids
    )
    live_n = set(session.exec(select(Need.id).where(col(Need.id).in_(need_ids))))
    if STATE.matcher is not None and (volunteer_ids - live_v or need_ids - live_n):
        STATE.matcher.remove(volunteer_ids=sorted(volunteer_ids - live_v), need_ids=sorted(need_ids - live_n))
    return [p for p in proposals if p.volunteer_id in live_v and p.need_id in live_n]


def _with_bars(matcher: Matcher | None) -> Matcher:
    """A freshly fitted matcher learns each side's k-th best score from one full pass."""
    assert matcher is not None
    matcher.match_all()
    release_free_memory()  # what the full pass freed (see workers.memory)
    return matcher


def forget() -> None:
    """Drops the warm state (tests, and after a failed task whose changes were rolled back)."""
    STATE.matcher, STATE.synced_at = None, None
