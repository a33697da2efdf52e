"""IDOR matrix of the HTML pages: partner A ↔ B, Stadtteilbüro 1 ↔ 2, volunteer A ↔ B, and everyone
but the admin ↔ the admin pages.

Each row names a route, the party that tries it (`actor`) and the party whose object it is or who may
use it (`owner`). It runs twice: the actor must be refused and leave the owner's object exactly as it
was; the owner, with the same request, must get the page or the change, so no row passes vacuously.
Routes without an id in their path (profile, data export, erasure, the lists) get the other party's
ids smuggled into query and form; they must keep answering about the logged-in user only.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import current_app
from flask.testing import FlaskClient
from sqlmodel import Session, SQLModel, col, select

from app.accounts import api_tokens
from app.accounts import services as accounts
from app.accounts.api_tokens import Scope
from app.accounts.models import ApiToken, Role, User
from app.needs.models import Need
from app.offices.models import District
from app.pairings.models import Pairing, PairingStatus
from app.partners.models import Organisation
from app.proposals.models import Proposal
from app.vocab.models import Skill
from app.volunteers.models import Volunteer, VolunteerLanguage, VolunteerSkill, VolunteerSlot
from tests.conftest import log_in
from tests.factories import (
    PASSWORD,
    district,
    make_coordinator,
    make_need,
    make_organisation,
    make_pairing,
    make_partner,
    make_proposal,
    make_user,
    make_volunteer,
    office,
    skill,
)
from tests.support.mail import Mailbox

PARTNER_A, PARTNER_B = "partner A", "partner B"
OFFICE_1, OFFICE_2 = "office 1", "office 2"  # the Stadtteilbüros Haken and Bienenberg
VOLUNTEER_A, VOLUNTEER_B = "volunteer A", "volunteer B"
NEWCOMER = "volunteer C"  # registered, e-mail address not yet confirmed
ADMIN = "admin"

Form = dict[str, str | list[str]]


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    # Eight accounts per test at full strength would take seconds; these tests are about access, not hashes.
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@dataclass
class World:
    """Two of everything: A's side lies in Haken (office 1), B's side in Bienenberg (office 2)."""

    users: dict[str, User]
    ids: dict[str, str]  # what the route and form templates of the cases may name, e.g. {need_b}
    mailbox: Mailbox


def build_world(session: Session, mailbox: Mailbox) -> World:
    org_a = make_organisation(session, "Grundschule Haken", district_slug="haken")
    org_b = make_organisation(session, "Familienzentrum Bienenberg", district_slug="bienenberg")
    org_b.address = "Am Bienenberg 7"
    session.add(org_b)
    session.commit()
    need_a = make_need(session, organisation=org_a, title="Lesepaten in Haken", places=3)
    need_b = make_need(
        session, organisation=org_b, district_slug="bienenberg", title="Sprachcafé am Bienenberg", places=3
    )
    users = {
        PARTNER_A: make_partner(session, org_a),
        PARTNER_B: make_partner(session, org_b),
        OFFICE_1: make_coordinator(session, "Stadtteilbüro Haken", email="buero-a@example.org"),
        OFFICE_2: make_coordinator(session, "Stadtteilbüro Bienenberg"),
        VOLUNTEER_A: make_user(session, Role.VOLUNTEER, email="aylin@example.org"),
        VOLUNTEER_B: make_user(session, Role.VOLUNTEER, email="boris@example.org"),
        NEWCOMER: make_user(session, Role.VOLUNTEER, email="chiara@example.org", confirmed=False),
        ADMIN: make_user(session, Role.ADMIN),
    }
    volunteer_a = make_volunteer(
        session, user=users[VOLUNTEER_A], first_name="Aylin", last_name="Albrecht", max_active_pairings=5
    )
    volunteer_b = make_volunteer(
        session,
        user=users[VOLUNTEER_B],
        district_slug="bienenberg",
        first_name="Boris",
        last_name="Bondarenko",
        max_active_pairings=5,
    )
    proposal_a = make_proposal(session, volunteer=volunteer_a, need=need_a)
    proposal_b = make_proposal(session, volunteer=volunteer_b, need=need_b)
    make_pairing(session, volunteer=volunteer_a, need=need_a)
    pairing_b = make_pairing(session, volunteer=volunteer_b, need=need_b)
    make_pairing(session, volunteer=volunteer_a, need=need_a, status=PairingStatus.OFFERED)
    offer_b = make_pairing(session, volunteer=volunteer_b, need=need_b, status=PairingStatus.OFFERED)

    key_b, key_office_2 = (
        api_tokens.issue_token(
            session=session, user=users[party], name=name, scopes=[scope], valid_days=None
        )[0]
        for party, name, scope in (
            (PARTNER_B, "Schule B", Scope.NEEDS_READ),
            (OFFICE_2, "Statistik B", Scope.PROPOSALS_READ),
        )
    )

    secret_key = current_app.config["SECRET_KEY"]
    ids: dict[str, Any] = {
        "need_b": need_b.id,
        "need_b_title": need_b.title,
        "org_b": org_b.id,
        "proposal_a": proposal_a.id,
        "proposal_b": proposal_b.id,
        "pairing_b": pairing_b.id,
        "offer_b": offer_b.id,
        "offer_b_token": offer_b.response_token,
        "volunteer_a": volunteer_a.id,
        "volunteer_b": volunteer_b.id,
        "bienenberg": district(session, "bienenberg").id,
        "kernstadt": district(session, "kernstadt").id,
        "office_1": office(session, "Stadtteilbüro Haken").id,
        "skill": skill(session, "homework_help").id,
        "cooking": skill(session, "cooking").id,
        "confirm_c": accounts.make_token(secret_key, accounts.CONFIRM_SALT, users[NEWCOMER]),
        "forged_confirm_c": accounts.make_token("not-the-key", accounts.CONFIRM_SALT, users[NEWCOMER]),
        "reset_b": accounts.make_token(secret_key, accounts.RESET_SALT, users[VOLUNTEER_B]),
        "forged_reset_b": accounts.make_token("not-the-key", accounts.RESET_SALT, users[VOLUNTEER_B]),
        "confirm_b": accounts.make_token(secret_key, accounts.CONFIRM_SALT, users[VOLUNTEER_B]),
        "key_b": key_b.id,
        "key_b_name": key_b.name,
        "key_office_2": key_office_2.id,
    }
    ids |= {
        "user_a": users[VOLUNTEER_A].id,
        "user_b": users[VOLUNTEER_B].id,
        "user_c": users[NEWCOMER].id,
        "user_partner_b": users[PARTNER_B].id,
        "user_office_2": users[OFFICE_2].id,
    }
    return World(users=users, ids={key: str(value) for key, value in ids.items()}, mailbox=mailbox)


def fill(template: Any, world: World) -> Any:
    """The template (a string, list or form) with {names} replaced from world.ids."""
    if isinstance(template, str):
        return template.format(**world.ids)
    if isinstance(template, list):
        return [fill(item, world) for item in template]
    return {key: fill(value, world) for key, value in template.items()}


# --- what a row looks at: the owner's object, read fresh from the database ---

Look = Callable[[Session, World], object]

# Written by the in-process matcher for every profile it meets, whoever's request started the run.
MATCHER_COLUMNS = {"embedding", "embedding_key", "qualify_if_relaxed"}


def row(model: type[SQLModel], key: str) -> Look:
    """Every column of the row but the matcher's (None once the row is deleted)."""

    def look(session: Session, world: World) -> object:
        session.expire_all()
        found = session.get(model, int(world.ids[key]))
        return None if found is None else found.model_dump(exclude=MATCHER_COLUMNS)

    return look


def proposal(key: str) -> Look:
    """The proposal and the pairings of its need (approving adds one)."""

    def look(session: Session, world: World) -> object:
        stored = row(Proposal, key)(session, world)  # first: it expires what the session holds
        need_id = select(Proposal.need_id).where(Proposal.id == int(world.ids[key])).scalar_subquery()
        pairings = session.exec(select(Pairing.id, Pairing.status).where(Pairing.need_id == need_id))
        return stored, sorted(pairings)

    return look


def profile(key: str) -> Look:
    """The volunteer row with their languages, skills and times."""

    def look(session: Session, world: World) -> object:
        stored = row(Volunteer, key)(session, world)  # first: it expires what the session holds
        volunteer_id = int(world.ids[key])
        children = [
            sorted(
                tuple(r.model_dump(exclude={"id"}).values())
                for r in session.exec(select(model).where(col(model.volunteer_id) == volunteer_id))
            )
            for model in (VolunteerLanguage, VolunteerSkill, VolunteerSlot)
        ]
        return stored, children

    return look


def staff_of(key: str) -> Look:
    def look(session: Session, world: World) -> object:
        session.expire_all()
        return sorted(session.exec(select(User.email).where(User.organisation_id == int(world.ids[key]))))

    return look


def mails_to(party: str) -> Look:
    """The subjects of the mails this party got (sending one changes no row)."""

    def look(_session: Session, world: World) -> object:
        address = world.users[party].email
        return [str(m["Subject"]) for m in world.mailbox.messages if address in str(m["To"])]

    return look


# --- the matrix ---

REFUSED = frozenset({403, 404})
# Routes without an id answer about the logged-in user only: the other party's ids are ignored.
OWN_PAGE, OWN_CHANGE = frozenset({200}), frozenset({302})
BAD_LINK = frozenset({400})
OTHER_IDS = "?volunteer_id={volunteer_b}&user_id={user_b}"

NEED_FORM: Form = {
    "title": "Übernommen von fremder Hand",
    "district_id": "{bienenberg}",
    "schedule": "weekly",
    "slots-0-weekday": "2",
    "slots-0-start": "16:00",
    "slots-0-end": "18:00",
    "places": "2",
    "target_group": "everyone",
}
PROFILE_FORM: Form = {
    "first_name": "Geändert",
    "last_name": "Vonaußen",
    "district_id": "{kernstadt}",
    "travel_radius_km": "20",
    "languages-0-language": "ar",
    "languages-0-level": "C1",
    "skill_ids": ["{cooking}"],
    "availability": ["6-evening"],
    "max_active_pairings": "3",
    "volunteer_id": "{volunteer_b}",
    "user_id": "{user_b}",
}
OTHER_IDS_FORM: Form = {"volunteer_id": "{volunteer_b}", "user_id": "{user_b}"}
NEW_PASSWORD: Form = {"password": "neues Passwort 2026", "password_repeat": "neues Passwort 2026"}
APPROVE: Form = {"decision": "approve"}
REJECT: Form = {"decision": "reject", "reason": "Passt nicht"}
BOTH_APPROVE: Form = {"proposal_ids": ["{proposal_a}", "{proposal_b}"], "decision": "approve"}
BOTH_REJECT: Form = {"proposal_ids": ["{proposal_a}", "{proposal_b}"], "decision": "reject", "reason": "x"}
ONLY_B_APPROVE: Form = {"proposal_ids": ["{proposal_b}"], "decision": "approve"}
START: Form = {"action": "start"}
END_EARLY: Form = {"action": "end_early", "reason": "Umzug"}
ACCEPT: Form = {"answer": "accept"}
NEXT_YEAR = date.today().year + 1
MEETING: Form = {"meeting-day": f"{NEXT_YEAR}-03-01", "meeting-time": "10:00", "meeting-place": "Schule"}
ERASE_FORM: Form = {**OTHER_IDS_FORM, "password": PASSWORD}
CHANGE_PASSWORD: Form = {**OTHER_IDS_FORM, "current_password": PASSWORD, **NEW_PASSWORD}
DEACTIVATE: Form = {"active": "0"}
SKILL_FORM: Form = {"label_de": "Übernommen"}
ORGANISATION_FORM: Form = {"name": "Übernommen", "kind": "school", "district_id": "0"}
STAFF_FORM: Form = {"display_name": "Eindringling", "email": "eindringling@example.org"}
DISTRICT_FORM: Form = {"office_id": "{office_1}", "latitude": "47.89", "longitude": "10.61"}


@dataclass(frozen=True)
class Case:
    route: str  # path (and query) template
    method: str
    actor: str  # tries the owner's object and must be refused
    owner: str  # may: the positive control
    target: Look  # the owner's object; the actor's request must leave it exactly as it was
    data: Form = field(default_factory=dict)
    denied: frozenset[int] = REFUSED  # the actor's acceptable answers
    allowed: frozenset[int] | None = None  # the owner's; by default 200 for GET, 302/303 for POST
    changes: bool | None = None  # whether the owner's request changes `target`; by default if POST
    secrets: tuple[str, ...] = ()  # templates: in the owner's page, never in the actor's
    actor_route: str | None = None  # where the actor goes instead (a guessed or forged token)
    actor_own: Look | None = None  # id-less routes: the actor's own object, which the request does change

    def __str__(self) -> str:
        return f"{self.method} {self.route} [{self.actor} vs {self.owner}]"


NEED_B, PAIRING_B, OFFER_B = row(Need, "need_b"), row(Pairing, "pairing_b"), row(Pairing, "offer_b")
PROPOSAL_B, USER_B, PROFILE_B = proposal("proposal_b"), row(User, "user_b"), profile("volunteer_b")
ORG_B, BIENENBERG = row(Organisation, "org_b"), row(District, "bienenberg")
PARTNER_B_USER, OFFICE_2_USER = row(User, "user_partner_b"), row(User, "user_office_2")
STAFF_B = staff_of("org_b")
KEY_B, KEY_OFFICE_2 = row(ApiToken, "key_b"), row(ApiToken, "key_office_2")
NEED_TITLE = ("{need_b_title}",)
NEED_SECRETS = ("{need_b_title}", "Bondarenko")  # the need, and the volunteer introduced to it

# One row per line where it fits; ruff format would put every argument of the longer rows on its own line.
# fmt: off
CASES = (
    # --- partner A against organisation B's need and its pairings ---
    Case("/bedarfe/{need_b}", "GET", PARTNER_A, PARTNER_B, NEED_B, secrets=NEED_SECRETS),
    Case("/bedarfe/{need_b}/bearbeiten", "GET", PARTNER_A, PARTNER_B, NEED_B, secrets=NEED_TITLE),
    Case("/bedarfe/{need_b}/bearbeiten", "POST", PARTNER_A, PARTNER_B, NEED_B, NEED_FORM),
    Case("/bedarfe/{need_b}/status", "POST", PARTNER_A, PARTNER_B, NEED_B, {"status": "closed"}),
    Case("/bedarfe/unsere", "GET", PARTNER_A, PARTNER_B, NEED_B, denied=OWN_PAGE, secrets=NEED_TITLE),
    Case("/vermittlungen/{pairing_b}", "POST", PARTNER_A, PARTNER_B, PAIRING_B, START),
    Case("/vermittlungen/{pairing_b}", "GET", PARTNER_A, PARTNER_B, PAIRING_B, secrets=NEED_SECRETS),
    Case("/vermittlungen/{pairing_b}/treffen", "POST", PARTNER_A, PARTNER_B, PAIRING_B, MEETING),
    # --- Stadtteilbüro Haken against needs, proposals and pairings in Bienenberg ---
    Case("/bedarfe/{need_b}", "GET", OFFICE_1, OFFICE_2, NEED_B, secrets=NEED_SECRETS),
    Case("/vorschlaege/{proposal_b}/entscheidung", "POST", OFFICE_1, OFFICE_2, PROPOSAL_B, APPROVE),
    Case("/vorschlaege/{proposal_b}/entscheidung", "POST", OFFICE_1, OFFICE_2, PROPOSAL_B, REJECT),
    # A foreign id mixed into the own one: the foreign proposal stays pending, the own one is decided.
    Case("/vorschlaege/sammelentscheidung", "POST", OFFICE_1, OFFICE_2, PROPOSAL_B, BOTH_APPROVE,
         denied=frozenset({303}), actor_own=proposal("proposal_a")),
    Case("/vorschlaege/sammelentscheidung", "POST", OFFICE_1, OFFICE_2, PROPOSAL_B, BOTH_REJECT,
         denied=frozenset({303}), actor_own=proposal("proposal_a")),
    # The queue filtered by a district of the other office.
    Case("/vorschlaege/?district={bienenberg}", "GET", OFFICE_1, OFFICE_2, PROPOSAL_B,
         denied=frozenset({200, 400}), secrets=NEED_TITLE),
    Case("/vermittlungen/{pairing_b}", "POST", OFFICE_1, OFFICE_2, PAIRING_B, END_EARLY),
    Case("/vermittlungen/{pairing_b}", "GET", OFFICE_1, OFFICE_2, PAIRING_B, secrets=NEED_SECRETS),
    Case("/vermittlungen/{pairing_b}/treffen", "POST", OFFICE_1, OFFICE_2, PAIRING_B, MEETING),
    Case("/vermittlungen/", "GET", OFFICE_1, OFFICE_2, PAIRING_B, denied=OWN_PAGE, secrets=("Bondarenko",)),
    # --- volunteer A against volunteer B: the offer link, the profile, their own data ---
    # The offer link is the credential: the pairing's id or a near-miss token in its place opens nothing.
    Case("/vermittlungen/antwort/{offer_b_token}", "GET", VOLUNTEER_A, VOLUNTEER_B, OFFER_B,
         secrets=NEED_TITLE, actor_route="/vermittlungen/antwort/{offer_b}"),
    Case("/vermittlungen/antwort/{offer_b_token}", "POST", VOLUNTEER_A, VOLUNTEER_B, OFFER_B, ACCEPT,
         allowed=OWN_PAGE, actor_route="/vermittlungen/antwort/{offer_b_token}x"),
    Case("/ehrenamt/profil" + OTHER_IDS, "GET", VOLUNTEER_A, VOLUNTEER_B, PROFILE_B,
         denied=OWN_PAGE, secrets=("Bondarenko", "{offer_b_token}")),
    Case("/ehrenamt/profil/bearbeiten" + OTHER_IDS, "GET", VOLUNTEER_A, VOLUNTEER_B, PROFILE_B,
         denied=OWN_PAGE, secrets=("Bondarenko",)),
    Case("/ehrenamt/profil/bearbeiten" + OTHER_IDS, "POST", VOLUNTEER_A, VOLUNTEER_B, PROFILE_B, PROFILE_FORM,
         denied=OWN_CHANGE, actor_own=profile("volunteer_a")),
    Case("/ehrenamt/profil/pause" + OTHER_IDS, "POST", VOLUNTEER_A, VOLUNTEER_B, PROFILE_B, OTHER_IDS_FORM,
         denied=OWN_CHANGE, actor_own=profile("volunteer_a")),
    Case("/meine-daten/export" + OTHER_IDS, "GET", VOLUNTEER_A, VOLUNTEER_B, USER_B,
         denied=OWN_PAGE, secrets=("boris@example.org", "Bondarenko")),
    Case("/meine-daten/loeschen" + OTHER_IDS, "POST", VOLUNTEER_A, VOLUNTEER_B, USER_B, ERASE_FORM,
         denied=OWN_CHANGE, actor_own=row(User, "user_a")),
    Case("/konto/passwort" + OTHER_IDS, "POST", VOLUNTEER_A, VOLUNTEER_B, USER_B, CHANGE_PASSWORD,
         denied=frozenset({303}), actor_own=row(User, "user_a")),
    # Signed account links: one signed with another key, or meant for another purpose, opens nothing.
    Case("/konto/bestaetigen/{confirm_c}", "GET", VOLUNTEER_A, NEWCOMER, row(User, "user_c"),
         denied=BAD_LINK, allowed=frozenset({302}), changes=True,
         actor_route="/konto/bestaetigen/{forged_confirm_c}"),
    Case("/konto/passwort-setzen/{reset_b}", "POST", VOLUNTEER_A, VOLUNTEER_B, USER_B, NEW_PASSWORD,
         denied=BAD_LINK, actor_route="/konto/passwort-setzen/{forged_reset_b}"),
    Case("/konto/passwort-setzen/{reset_b}", "POST", VOLUNTEER_A, VOLUNTEER_B, USER_B, NEW_PASSWORD,
         denied=BAD_LINK, actor_route="/konto/passwort-setzen/{confirm_b}"),
    # --- volunteers, partners and coordinators outside their role, even on objects of their own ---
    Case("/bedarfe/{need_b}", "GET", VOLUNTEER_B, PARTNER_B, NEED_B, secrets=NEED_SECRETS),
    Case("/bedarfe/{need_b}/bearbeiten", "POST", OFFICE_2, PARTNER_B, NEED_B, NEED_FORM),
    Case("/bedarfe/{need_b}/status", "POST", VOLUNTEER_B, PARTNER_B, NEED_B, {"status": "paused"}),
    Case("/vorschlaege/{proposal_b}/entscheidung", "POST", PARTNER_B, OFFICE_2, PROPOSAL_B, APPROVE),
    Case("/vorschlaege/{proposal_b}/entscheidung", "POST", VOLUNTEER_B, OFFICE_2, PROPOSAL_B, APPROVE),
    Case("/vorschlaege/sammelentscheidung", "POST", PARTNER_B, OFFICE_2, PROPOSAL_B, ONLY_B_APPROVE),
    Case("/vorschlaege/", "GET", PARTNER_B, OFFICE_2, PROPOSAL_B, secrets=NEED_TITLE),
    Case("/vermittlungen/{pairing_b}", "POST", VOLUNTEER_B, OFFICE_2, PAIRING_B, START),
    Case("/vermittlungen/{pairing_b}", "GET", VOLUNTEER_B, OFFICE_2, PAIRING_B, secrets=("Bondarenko",)),
    Case("/vermittlungen/{pairing_b}/treffen", "POST", VOLUNTEER_B, PARTNER_B, PAIRING_B, MEETING),
    Case("/vermittlungen/", "GET", VOLUNTEER_B, OFFICE_2, PAIRING_B, secrets=("Bondarenko",)),
    # --- API keys on the account page: revoked by their owner only ---
    Case("/konto/api-schluessel/{key_b}/widerrufen", "POST", PARTNER_A, PARTNER_B, KEY_B),
    Case("/konto/api-schluessel/{key_office_2}/widerrufen", "POST", OFFICE_1, OFFICE_2, KEY_OFFICE_2),
    Case("/konto/", "GET", PARTNER_A, PARTNER_B, KEY_B, denied=OWN_PAGE, secrets=("{key_b_name}",)),
    # --- everyone but the admin against the admin pages ---
    Case("/verwaltung/partner/{org_b}", "GET", PARTNER_B, ADMIN, ORG_B, secrets=("Am Bienenberg 7",)),
    Case("/verwaltung/partner/{org_b}", "POST", PARTNER_A, ADMIN, ORG_B, ORGANISATION_FORM),
    Case("/verwaltung/partner/{org_b}/mitarbeitende", "POST", PARTNER_A, ADMIN, STAFF_B, STAFF_FORM),
    Case("/verwaltung/konten/{user_partner_b}/aktiv", "POST", PARTNER_A, ADMIN, PARTNER_B_USER, DEACTIVATE),
    Case("/verwaltung/konten/{user_office_2}/aktiv", "POST", OFFICE_1, ADMIN, OFFICE_2_USER, DEACTIVATE),
    Case("/verwaltung/konten/{user_office_2}/einladung", "POST", OFFICE_1, ADMIN, mails_to(OFFICE_2)),
    Case("/verwaltung/koordination", "GET", OFFICE_2, ADMIN, OFFICE_2_USER, secrets=("buero-a@example.org",)),
    Case("/verwaltung/stadtteile/{bienenberg}", "GET", OFFICE_2, ADMIN, BIENENBERG, secrets=("47.8934",)),
    # Office 1 would take Bienenberg into its own districts.
    Case("/verwaltung/stadtteile/{bienenberg}", "POST", OFFICE_1, ADMIN, BIENENBERG, DISTRICT_FORM),
    Case("/verwaltung/faehigkeiten/{skill}", "POST", VOLUNTEER_A, ADMIN, row(Skill, "skill"), SKILL_FORM),
)
# fmt: on


@pytest.mark.parametrize("side", ["actor", "owner"])
@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_other_party_is_refused_and_the_owner_is_not(
    client: FlaskClient, session: Session, mailbox: Mailbox, case: Case, side: str
) -> None:
    world = build_world(session, mailbox)
    is_actor = side == "actor"
    log_in(client, world.users[case.actor if is_actor else case.owner])
    route = case.actor_route if is_actor and case.actor_route else case.route
    before = case.target(session, world)
    own_before = case.actor_own(session, world) if case.actor_own else None

    response = client.open(fill(route, world), method=case.method, data=fill(case.data, world))

    after = case.target(session, world)
    page = response.get_data(as_text=True)
    secrets = [fill(secret, world) for secret in case.secrets]
    if is_actor:
        assert response.status_code in case.denied
        assert after == before, "the actor changed the owner's object"
        assert [s for s in secrets if s in page] == [], "the actor's page shows the owner's data"
        if case.actor_own:
            assert case.actor_own(session, world) != own_before, "the actor's own request was not even taken"
    else:
        posted = case.method == "POST"
        assert response.status_code in (case.allowed or (frozenset({302, 303}) if posted else OWN_PAGE))
        assert (after != before) == (posted if case.changes is None else case.changes)
        assert [s for s in secrets if s not in page] == [], "the owner's page misses their own data"
