"""A year of demo history on top of the demo's people and needs, so that the statistics, the pairings,
the hours and the decision log show something: profiles and needs created over the last twelve months,
proposals decided by the coordinators, pairings in every state with their check-ins, and logged hours.

Deterministic (a fixed random seed, dates counted back from today), and within the domain's rules: a
volunteer has at most max_active_pairings running pairings at any time and a need at most `places`;
paused volunteers and needs that are not open get no pairing that is still running."""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.audit.models import DecisionAction
from app.audit.services import record_decision
from app.hours.models import HoursEntry, HoursStatus
from app.needs.models import Need, NeedLanguage, NeedSkill, NeedStatus, Schedule
from app.offices.models import District, Office
from app.pairings.models import CHECK_IN_WEEKS, CheckIn, CheckInParty, CheckInRating, Pairing, PairingStatus
from app.proposals.models import Proposal, ProposalStatus
from app.reports.services import last_months
from app.volunteers.models import Volunteer, VolunteerLanguage, VolunteerSkill

SEED = 2026
ACCEPTED_PER_MONTH = 8
DECLINED_PER_MONTH = 1
REJECTED_PER_MONTH = 2
FOREVER = date.max  # a pairing that still runs occupies its volunteer and need from its offer on
DURATIONS = (42, 63, 84, 120, 150)  # days from the first meeting to the end
END_REASONS = (
    "Umzug in eine andere Stadt",
    "Neue Arbeitsstelle, zeitlich nicht mehr machbar",
    "Die Familie braucht keine Unterstützung mehr",
    "Es hat menschlich nicht gepasst",
)
DECLINE_REASONS = ("Zurzeit leider keine Zeit", "Der Weg ist mir zu weit", "")
REJECT_REASONS = ("Zu weit entfernt", "Zeiten passen nicht", "Bedarf bereits gedeckt")
CHECK_IN_COMMENTS = {
    CheckInRating.GOOD: ("Läuft sehr gut, die Kinder freuen sich jede Woche.", "Alles bestens.", ""),
    CheckInRating.MIXED: ("Termine sind manchmal schwierig abzustimmen.",),
    CheckInRating.POOR: ("Es passt leider nicht gut, bitte melden Sie sich.",),
}


@dataclass
class Context:
    """What the history is made of, loaded once."""

    today: date
    rng: random.Random
    volunteers: list[Volunteer]
    needs: list[Need]
    coordinator_of_district: dict[int, int]  # district id -> coordinator's user id
    staff_of_organisation: dict[int, int]  # organisation id -> a partner user's id
    shared: dict[tuple[int, int], dict[str, list[str]]]  # (volunteer, need) -> shared skills, languages
    busy: dict[tuple[str, int], list[tuple[date, date]]] = field(default_factory=lambda: defaultdict(list))
    used: set[tuple[int, int]] = field(default_factory=set)


def add_history(*, session: Session, today: date) -> None:
    """Adds the history in the caller's transaction (seed_demo commits it with the rest)."""
    context = _load(session, today)
    _spread_creation_dates(context)
    for month in last_months(today).months():
        # Ten days back at most: what is younger is in the recent pairings below.
        last = min(_month_end(month), today - timedelta(days=10))
        if month <= last:
            _add_month(session, context, month, last)
    # The last days: offers waiting for an answer, introductions, first meetings in the coming days.
    for days_ago, status in ((1, PairingStatus.OFFERED), (2, PairingStatus.OFFERED)):
        _add_recent(session, context, days_ago, status)
    for days_ago in (3, 4, 5):
        _add_recent(session, context, days_ago, PairingStatus.INTRODUCED)
    for days_ago in (6, 7, 8):
        _add_recent(session, context, days_ago, PairingStatus.MEETING)


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def _load(session: Session, today: date) -> Context:
    volunteers = list(session.exec(select(Volunteer).order_by(col(Volunteer.id))))
    needs = list(session.exec(select(Need).order_by(col(Need.id))))
    coordinators = {
        user.office_id: user.id or 0
        for user in session.exec(select(User).where(User.role == Role.COORDINATOR).order_by(col(User.id)))
    }
    central = session.exec(select(Office.id).where(col(Office.is_central))).first()
    coordinator_of_district = {
        district.id or 0: coordinators.get(district.office_id, coordinators.get(central, 0))
        for district in session.exec(select(District))
    }
    staff = {
        user.organisation_id or 0: user.id or 0
        for user in session.exec(select(User).where(User.role == Role.PARTNER).order_by(col(User.id).desc()))
    }
    skills = _grouped(session.exec(select(VolunteerSkill.volunteer_id, VolunteerSkill.skill_id)))
    need_skills = _grouped(session.exec(select(NeedSkill.need_id, NeedSkill.skill_id)))
    languages = _grouped(
        session.exec(select(VolunteerLanguage.volunteer_id, VolunteerLanguage.language_code))
    )
    need_languages = _grouped(session.exec(select(NeedLanguage.need_id, NeedLanguage.language_code)))
    shared = {
        (v.id or 0, n.id or 0): {
            "skills": sorted(map(str, skills[v.id or 0] & need_skills[n.id or 0])),
            "languages": sorted(map(str, languages[v.id or 0] & need_languages[n.id or 0])),
        }
        for v in volunteers
        for n in needs
    }
    return Context(
        today, random.Random(SEED), volunteers, needs, coordinator_of_district, staff, shared
    )  # fmt: skip


def _grouped(rows: object) -> defaultdict[int, set[object]]:
    groups: defaultdict[int, set[object]] = defaultdict(set)
    for owner, value in rows:  # type: ignore[attr-defined]
        groups[owner].add(value)
    return groups


def _spread_creation_dates(context: Context) -> None:
    """A third of the profiles and half of the needs from the first days of the statistics' default
    period (the last twelve calendar months, so its first month has pairings whatever today's date),
    the rest over the year; one-off needs were posted shortly before their date."""
    rng, today = context.rng, context.today
    start = last_months(today).first
    span = (today - start).days
    for index, volunteer in enumerate(context.volunteers):
        days = rng.randint(0, 9) if index % 3 == 0 else rng.randint(0, span - 20)
        volunteer.created_at = volunteer.updated_at = _at(start + timedelta(days=days), 9)
    for index, need in enumerate(context.needs):
        if need.schedule == Schedule.ONE_OFF:
            created = today - timedelta(days=rng.randint(10, 20))
        else:
            days = rng.randint(0, 7) if index % 2 == 0 else rng.randint(0, span - 30)
            created = start + timedelta(days=days)
        need.created_at = need.updated_at = _at(created, 8)


def _candidates(context: Context, offered_on: date) -> list[tuple[Volunteer, Need]]:
    """Pairs not yet proposed, both existing by then; those sharing a skill first, shuffled."""
    pairs = [
        (v, n)
        for v in context.volunteers
        for n in context.needs
        if (v.id, n.id) not in context.used
        and n.schedule != Schedule.ONE_OFF
        and v.created_at.date() < offered_on
        and n.created_at.date() < offered_on
    ]
    context.rng.shuffle(pairs)
    return sorted(pairs, key=lambda pair: not context.shared[(pair[0].id or 0, pair[1].id or 0)]["skills"])


def _fits(context: Context, volunteer: Volunteer, need: Need, start: date, end: date) -> bool:
    """No more running pairings than the volunteer and the need allow, at any time of [start, end]."""
    if end == FOREVER and (volunteer.paused or need.status != NeedStatus.OPEN):
        return False

    def overlapping(key: tuple[str, int]) -> int:
        return sum(1 for s, e in context.busy[key] if s <= end and start <= e)

    return (
        overlapping(("volunteer", volunteer.id or 0)) < volunteer.max_active_pairings
        and overlapping(("need", need.id or 0)) < need.places
    )


def _occupy(context: Context, volunteer: Volunteer, need: Need, start: date, end: date) -> None:
    context.busy[("volunteer", volunteer.id or 0)].append((start, end))
    context.busy[("need", need.id or 0)].append((start, end))
    context.used.add((volunteer.id or 0, need.id or 0))


def _add_month(session: Session, context: Context, first: date, last: date) -> None:
    rng, today = context.rng, context.today
    wanted = {"accepted": ACCEPTED_PER_MONTH, "declined": DECLINED_PER_MONTH, "rejected": REJECTED_PER_MONTH}
    for volunteer, need in _candidates(context, last):
        kind = next((k for k, left in wanted.items() if left > 0), None)
        if kind is None:
            return
        # A day of the month after both were created.
        earliest = max(
            first, volunteer.created_at.date() + timedelta(days=1), need.created_at.date() + timedelta(days=1)
        )
        # Early enough that the answer (one to three days later) falls into the same month.
        latest = max(earliest, last - timedelta(days=3))
        offered_on = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
        if kind == "rejected":
            _proposal(session, context, volunteer, need, offered_on, ProposalStatus.REJECTED)
            context.used.add((volunteer.id or 0, need.id or 0))
            wanted[kind] -= 1
            continue
        answered_on = offered_on + timedelta(days=rng.randint(1, 3))
        if kind == "declined":
            if not _fits(context, volunteer, need, offered_on, answered_on):
                continue
            proposal = _proposal(session, context, volunteer, need, offered_on, ProposalStatus.APPROVED)
            _declined(session, context, proposal, offered_on, answered_on)
            _occupy(context, volunteer, need, offered_on, answered_on)
            wanted[kind] -= 1
            continue
        started_on = answered_on + timedelta(days=rng.randint(3, 6))
        planned_end = started_on + timedelta(days=rng.choice(DURATIONS))
        early = rng.random() < 0.2
        ended_on = started_on + (planned_end - started_on) / 3 if early else planned_end
        running = ended_on >= today
        if not _fits(context, volunteer, need, offered_on, FOREVER if running else ended_on):
            continue
        proposal = _proposal(session, context, volunteer, need, offered_on, ProposalStatus.APPROVED)
        _accepted(
            session,
            context,
            proposal,
            need,
            answered_on,
            started_on,
            None if running else ended_on,
            early,
        )
        _occupy(context, volunteer, need, offered_on, FOREVER if running else ended_on)
        wanted[kind] -= 1


def _add_recent(session: Session, context: Context, days_ago: int, status: PairingStatus) -> None:
    """One pairing offered `days_ago` days ago, now waiting for an answer, introduced, or with its first
    meeting arranged for the coming days."""
    offered_on = context.today - timedelta(days=days_ago)
    for volunteer, need in _candidates(context, offered_on):
        if not _fits(context, volunteer, need, offered_on, FOREVER):
            continue
        proposal = _proposal(session, context, volunteer, need, offered_on, ProposalStatus.APPROVED)
        pairing = _pairing(session, proposal, offered_on, status)
        if status != PairingStatus.OFFERED:
            pairing.answered_at = _at(offered_on + timedelta(days=1), 19)
            _decide(session, pairing, DecisionAction.ACCEPT, None, pairing.answered_at)
        if status == PairingStatus.MEETING:
            meeting_day = context.today + timedelta(days=context.rng.randint(2, 6))
            pairing.first_meeting_at = _at(meeting_day, 15)
            pairing.first_meeting_place = need.address or "Im Büro der Organisation"
            arranged = _at(offered_on + timedelta(days=2), 11)
            _decide(session, pairing, DecisionAction.ARRANGE_MEETING, _staff(context, need), arranged)
        _occupy(context, volunteer, need, offered_on, FOREVER)
        return


def _proposal(
    session: Session,
    context: Context,
    volunteer: Volunteer,
    need: Need,
    decided_on: date,
    status: ProposalStatus,
) -> Proposal:
    shared = context.shared[(volunteer.id or 0, need.id or 0)]
    reasons = {
        "shared_skills": shared["skills"],
        "shared_languages": shared["languages"],
        "same_district": volunteer.district_id == need.district_id,
        "strongest": "skills" if shared["skills"] else "text",
    }
    coordinator = context.coordinator_of_district.get(need.district_id)
    reason = context.rng.choice(REJECT_REASONS) if status == ProposalStatus.REJECTED else ""
    proposal = Proposal(
        volunteer_id=volunteer.id or 0, need_id=need.id or 0, score=round(context.rng.uniform(0.55, 0.95), 3),
        reasons=reasons, status=status, computed_at=_at(decided_on - timedelta(days=1), 2),
        decided_at=_at(decided_on, 11), decided_by_id=coordinator, decision_reason=reason,
    )  # fmt: skip
    session.add(proposal)
    session.flush()
    action = DecisionAction.APPROVE if status == ProposalStatus.APPROVED else DecisionAction.REJECT
    record_decision(
        session=session, action=action, volunteer_id=volunteer.id or 0, actor_id=coordinator,
        need_id=need.id, proposal_id=proposal.id, reason=reason, decided_at=proposal.decided_at,
    )  # fmt: skip
    return proposal


def _pairing(session: Session, proposal: Proposal, offered_on: date, status: PairingStatus) -> Pairing:
    pairing = Pairing(
        proposal_id=proposal.id, volunteer_id=proposal.volunteer_id, need_id=proposal.need_id,
        status=status, created_at=_at(offered_on, 11),
    )  # fmt: skip
    session.add(pairing)
    session.flush()
    return pairing


def _decide(
    session: Session,
    pairing: Pairing,
    action: DecisionAction,
    actor: int | None,
    at: datetime,
    reason: str = "",
) -> None:
    record_decision(
        session=session, action=action, volunteer_id=pairing.volunteer_id, actor_id=actor,
        need_id=pairing.need_id, proposal_id=pairing.proposal_id, pairing_id=pairing.id, reason=reason,
        decided_at=at,
    )  # fmt: skip


def _staff(context: Context, need: Need) -> int | None:
    """Who moves a pairing on: mostly the organisation's staff, sometimes the district's coordinator."""
    if context.rng.random() < 0.7 and need.organisation_id in context.staff_of_organisation:
        return context.staff_of_organisation[need.organisation_id]
    return context.coordinator_of_district.get(need.district_id)


def _declined(
    session: Session,
    context: Context,
    proposal: Proposal,
    offered_on: date,
    answered_on: date,
) -> None:
    pairing = _pairing(session, proposal, offered_on, PairingStatus.DECLINED)
    pairing.answered_at = pairing.ended_at = _at(answered_on, 20)
    pairing.end_reason = context.rng.choice(DECLINE_REASONS)
    _decide(session, pairing, DecisionAction.DECLINE, None, pairing.answered_at, pairing.end_reason)


def _accepted(
    session: Session,
    context: Context,
    proposal: Proposal,
    need: Need,
    answered_on: date,
    started_on: date,
    ended_on: date | None,
    early: bool,
) -> None:
    """A pairing that was introduced, met, ran (and, with `ended_on`, ended), with check-ins and hours."""
    offered_on = proposal.decided_at.date() if proposal.decided_at else answered_on
    status = PairingStatus.ACTIVE
    if ended_on is not None:
        status = PairingStatus.ENDED_EARLY if early else PairingStatus.COMPLETED
    pairing = _pairing(session, proposal, offered_on, status)
    pairing.answered_at = _at(answered_on, 19)
    pairing.first_meeting_at = _at(started_on, 15)
    pairing.first_meeting_place = need.address or "Im Büro der Organisation"
    pairing.started_on = started_on
    _decide(session, pairing, DecisionAction.ACCEPT, None, pairing.answered_at)
    arranged = _at(answered_on + timedelta(days=1), 11)
    _decide(session, pairing, DecisionAction.ARRANGE_MEETING, _staff(context, need), arranged)
    _decide(session, pairing, DecisionAction.START, _staff(context, need), _at(started_on, 18))
    if ended_on is not None:
        pairing.ended_at = _at(ended_on, 17)
        pairing.end_reason = context.rng.choice(END_REASONS) if early else ""
        action = DecisionAction.END_EARLY if early else DecisionAction.COMPLETE
        _decide(session, pairing, action, _staff(context, need), pairing.ended_at, pairing.end_reason)
    _check_ins(session, context, pairing, early)
    _hours(session, context, pairing, need)


def _check_ins(session: Session, context: Context, pairing: Pairing, early: bool) -> None:
    assert pairing.started_on is not None and pairing.id is not None
    rng, today = context.rng, context.today
    stop = pairing.ended_at.date() if pairing.ended_at else today
    for week in CHECK_IN_WEEKS:
        due = pairing.started_on + timedelta(weeks=week)
        if due >= stop:
            break
        for party in CheckInParty:
            answered_on = due + timedelta(days=rng.randint(1, 6))
            answered = answered_on < today and rng.random() < 0.9
            rating = CheckInRating.GOOD if rng.random() < 0.8 else CheckInRating.MIXED
            if early and week == CHECK_IN_WEEKS[-1]:
                rating = CheckInRating.POOR
            session.add(
                CheckIn(
                    pairing_id=pairing.id,
                    week=week,
                    party=party,
                    created_at=_at(due, 7),
                    sent_at=_at(due, 7),
                    answered_at=_at(answered_on, 20) if answered else None,
                    rating=rating if answered else "",
                    comment=rng.choice(CHECK_IN_COMMENTS[rating]) if answered else "",
                )
            )


def _hours(session: Session, context: Context, pairing: Pairing, need: Need) -> None:
    """Every week or two, one to three hours; the last two weeks still wait for confirmation."""
    assert pairing.started_on is not None and pairing.id is not None
    rng, today = context.rng, context.today
    stop = pairing.ended_at.date() if pairing.ended_at else today
    worked_on = pairing.started_on
    while worked_on < stop:
        entry = HoursEntry(
            volunteer_id=pairing.volunteer_id, pairing_id=pairing.id, worked_on=worked_on,
            minutes=rng.choice((60, 90, 120, 150, 180)), logged_at=_at(worked_on, 21),
        )  # fmt: skip
        if worked_on < today - timedelta(days=14):
            rejected = rng.random() < 0.04
            entry.status = HoursStatus.REJECTED if rejected else HoursStatus.CONFIRMED
            entry.reviewed_by_id = _staff(context, need)
            entry.reviewed_at = _at(worked_on + timedelta(days=rng.randint(1, 5)), 12)
            entry.review_reason = "Doppelt eingetragen" if rejected else ""
            action = DecisionAction.REJECT_HOURS if rejected else DecisionAction.CONFIRM_HOURS
            _decide(session, pairing, action, entry.reviewed_by_id, entry.reviewed_at, entry.review_reason)
        session.add(entry)
        worked_on += timedelta(days=rng.choice((7, 7, 14)))
