"""Translated names of the domain's states and categories, for templates and mails."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.audit.models import DecisionAction
from app.hours.models import HoursStatus
from app.needs.models import NeedStatus, TargetGroup
from app.pairings.models import CheckInRating, PairingStatus
from app.proposals.models import ProposalStatus

PAIRING_STATUS = {
    PairingStatus.OFFERED: _l("offered, waiting for the volunteer"),
    PairingStatus.DECLINED: _l("declined by the volunteer"),
    PairingStatus.INTRODUCED: _l("introduced"),
    PairingStatus.MEETING: _l("first meeting arranged"),
    PairingStatus.ACTIVE: _l("active"),
    PairingStatus.COMPLETED: _l("completed"),
    PairingStatus.ENDED_EARLY: _l("ended early"),
}
PROPOSAL_STATUS = {
    ProposalStatus.PENDING: _l("waiting for review"),
    ProposalStatus.APPROVED: _l("approved"),
    ProposalStatus.REJECTED: _l("rejected"),
    ProposalStatus.WITHDRAWN: _l("withdrawn"),
}
NEED_STATUS = {
    NeedStatus.OPEN: _l("open"),
    NeedStatus.PAUSED: _l("paused"),
    NeedStatus.CLOSED: _l("closed"),
}
TARGET_GROUP = {
    TargetGroup.CHILDREN: _l("Children"),
    TargetGroup.YOUTH: _l("Young people"),
    TargetGroup.FAMILIES: _l("Families"),
    TargetGroup.WOMEN: _l("Women"),
    TargetGroup.SENIORS: _l("Older people"),
    TargetGroup.NEWCOMERS: _l("Newcomers"),
    TargetGroup.EVERYONE: _l("Everyone"),
}
DECISION_ACTION = {
    DecisionAction.APPROVE: _l("proposal approved"),
    DecisionAction.REJECT: _l("proposal rejected"),
    DecisionAction.ACCEPT: _l("offer accepted by the volunteer"),
    DecisionAction.DECLINE: _l("offer declined by the volunteer"),
    DecisionAction.ARRANGE_MEETING: _l("first meeting arranged"),
    DecisionAction.START: _l("pairing started"),
    DecisionAction.COMPLETE: _l("pairing completed"),
    DecisionAction.END_EARLY: _l("pairing ended early"),
    DecisionAction.REMATCH: _l("new match requested"),
    DecisionAction.CONFIRM_HOURS: _l("hours confirmed"),
    DecisionAction.REJECT_HOURS: _l("hours rejected"),
}
HOURS_STATUS = {
    HoursStatus.LOGGED: _l("waiting for confirmation"),
    HoursStatus.CONFIRMED: _l("confirmed"),
    HoursStatus.REJECTED: _l("not confirmed"),
}
CHECK_IN_RATING = {
    CheckInRating.GOOD: _l("going well"),
    CheckInRating.MIXED: _l("some difficulties"),
    CheckInRating.POOR: _l("not working"),
}


# The headings of a need's facts (templates/needs/_summary.html), which lists and the queue repeat for
# every need: translated once per page by need_fact_labels() rather than a dozen times per need.
NEED_FACT = {
    "organisation": _l("Organisation"),
    "district": _l("District"),
    "when": _l("When"),
    "flexible": _l("Times are flexible"),
    "places": _l("Volunteers wanted"),
    "target_group": _l("Target group"),
    "skills": _l("Wanted skills"),
    "languages": _l("Languages"),
    "required": _l("required"),
    "welcome": _l("welcome"),
    "requirements": _l("Requirements"),
    "certificate": _l("extended certificate of conduct (Führungszeugnis)"),
}


def need_fact_labels() -> dict[str, object]:
    """NEED_FACT and the target groups' names in the current language."""
    labels: dict[str, object] = {key: str(text) for key, text in NEED_FACT.items()}
    labels["target_groups"] = {group: str(name) for group, name in TARGET_GROUP.items()}
    return labels


def _lookup(table: dict[str, object]) -> object:
    return lambda value: str(table.get(value, value))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        pairing_status_label=_lookup(PAIRING_STATUS),  # type: ignore[arg-type]
        proposal_status_label=_lookup(PROPOSAL_STATUS),  # type: ignore[arg-type]
        need_status_label=_lookup(NEED_STATUS),  # type: ignore[arg-type]
        decision_action_label=_lookup(DECISION_ACTION),  # type: ignore[arg-type]
        hours_status_label=_lookup(HOURS_STATUS),  # type: ignore[arg-type]
        check_in_rating_label=_lookup(CHECK_IN_RATING),  # type: ignore[arg-type]
        need_fact_labels=need_fact_labels,
    )
