"""match(volunteers, needs, params) -> proposals: constraints first, then scores, then top-k."""

from collections.abc import Sequence

from matching.constraints import CONSTRAINTS, constraint_masks, make_block
from matching.features import Encoder
from matching.matcher import Matcher
from matching.types import MatchParams, NeedProfile, Proposal, VolunteerProfile


def match(
    volunteers: Sequence[VolunteerProfile],
    needs: Sequence[NeedProfile],
    params: MatchParams,
    assignment: bool = False,
) -> Sequence[Proposal]:
    """Fits a Matcher on these profiles and matches everything against everything (see
    Matcher.match_all)."""
    return Matcher(params).fit(volunteers, needs).match_all(assignment=assignment)


def explain_exclusions(
    volunteers: Sequence[VolunteerProfile], need: NeedProfile, params: MatchParams
) -> dict[str, int]:
    """For one need: how many volunteers each hard constraint excludes (a volunteer may count twice)."""
    if not volunteers:
        return dict.fromkeys(CONSTRAINTS, 0)
    v, n = Encoder().fit_transform(volunteers, [need], params.today, params.certificate_valid_years)
    masks = constraint_masks(v, n, make_block(v, n, slice(0, len(volunteers)), slice(0, 1)))
    return {name: int((~masks[name]).sum()) for name in CONSTRAINTS}


__all__ = ["explain_exclusions", "match"]
