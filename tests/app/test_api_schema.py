"""schemathesis over the whole OpenAPI description, in-process: no answer of the API is a server error.

Every operation gets generated requests, valid and invalid ones, from a partner, a coordinator of a district
office and a caller without a token, against a small world of needs, proposals and pairings. Generated ids
are mostly unknown ones; a second pass pins the ids to the world's own rows, so that changes and decisions
of real rows are generated too. Besides server errors, every built-in check of schemathesis runs: answers
and their status codes, headers and bodies must be the documented ones.
"""

from collections import Counter, defaultdict
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlmodel import Session

from app.partners.models import Organisation
from tests.factories import make_coordinator, make_need, make_pairing, make_partner, make_proposal
from tests.support.api import bearer

# Valid by the schema is not always valid by the rules: a district id must exist, a date must not be past.
# Those are 422s with the form's messages (tests/app/test_api_needs.py), not failures.
NOT_CHECKED = [positive_data_acceptance]
EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 10}


def world(session: Session) -> tuple[dict[str, dict[str, str]], dict[str, int]]:
    """Callers (their headers) and the ids of rows they own or may decide."""
    partner = make_partner(session)
    own = make_need(session, organisation=session.get(Organisation, partner.organisation_id))
    make_pairing(session, need=own)
    in_scope = make_proposal(session, need=make_need(session, district_slug="haken"))
    make_proposal(session, need=make_need(session, district_slug="bienenberg"))
    callers = {
        "partner": bearer(session, partner),
        "coordinator": bearer(session, make_coordinator(session, "Stadtteilbüro Haken")),
        "anonymous": {},
    }
    return callers, {"need_id": own.id or 0, "proposal_id": in_scope.id or 0}


def test_no_generated_request_makes_a_server_error_or_breaks_the_spec(app: Flask, session: Session) -> None:
    callers, own_ids = world(session)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    failures: list[str] = []
    answers: defaultdict[str, Counter[int]] = defaultdict(Counter)
    for result in schema.get_all_operations():
        operation = result.ok()
        pinned = {p.name: own_ids[p.name] for p in operation.path_parameters if p.name in own_ids}
        for path_parameters in ({}, pinned) if pinned else ({},):
            for mode, examples in EXAMPLES.items():
                for name, headers in callers.items():
                    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
                    _run(strategy, examples, name, headers, failures, answers)
    report = "\n".join(f"{key}: {dict(sorted(counts.items()))}" for key, counts in sorted(answers.items()))
    print(report)
    assert not failures, "\n".join(failures[:30])
    # Not only refusals: each role's own operations were also carried out. (A generated need rarely names a
    # district that exists, so replacing a need succeeds in tests/app/test_api_needs.py, not here.)
    for key in (
        "GET /api/v1/needs/{need_id} partner",
        "POST /api/v1/needs/{need_id}/status partner",
        "GET /api/v1/introductions/ partner",
        "GET /api/v1/proposals/{proposal_id} coordinator",
        "POST /api/v1/proposals/{proposal_id}/decision coordinator",
    ):
        assert answers[key][2], f"{key} never succeeded:\n{report}"


def _run(
    strategy: Any,
    examples: int,
    name: str,
    headers: dict[str, str],
    failures: list[str],
    answers: defaultdict[str, Counter[int]],
) -> None:
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case: schemathesis.Case) -> None:
        response = case.call(headers=headers)
        answers[f"{case.method} {case.operation.path} {name}"][response.status_code // 100] += 1
        try:
            case.validate_response(response, headers=headers, excluded_checks=NOT_CHECKED)
        except (AssertionError, FailureGroup) as error:
            failures.append(f"{name} {case.method} {case.formatted_path}: {_brief(error)}")

    run()


def _brief(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return " | ".join(line for line in lines if line.startswith(("- ", "Received", "curl")))[:300]
