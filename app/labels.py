"""Translated names of the domain's states and categories, for templates and mails."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.needs.models import NeedStatus, TargetGroup
from app.pairings.models import PairingStatus
from app.proposals.models import ProposalStatus

PAIRING_STATUS = {
    PairingStatus.OFFERED: _l("offered, waiting for the volunteer"),
    PairingStatus.DECLINED: _l("declined by the volunteer"),
    PairingStatus.INTRODUCED: _l("introduced"),
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


def _lookup(table: dict[str, object]) -> object:
    return lambda value: str(table.get(value, value))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        pairing_status_label=_lookup(PAIRING_STATUS),  # type: ignore[arg-type]
        proposal_status_label=_lookup(PROPOSAL_STATUS),  # type: ignore[arg-type]
        need_status_label=_lookup(NEED_STATUS),  # type: ignore[arg-type]
        target_group_label=_lookup(TARGET_GROUP),  # type: ignore[arg-type]
    )
