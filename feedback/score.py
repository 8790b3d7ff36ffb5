"""The priority score of a feedback item: the one place its weights live.

    score = W_VOTES    · ln(1 + votes)
          + W_EXTERNAL · ln(1 + external votes)
          + W_TEAMS · ln(1 + distinct teams of the voters)
          + W_PAIN  · pain                 (pain = 5 - rating; 0 without a rating)
          + W_TIER  · tier weight          (TIER_1 1.0, TIER_2 0.75, TIER_3 0.5, TIER_4 0.25)
          + created_at (Unix seconds) / TAU_SECONDS

Votes are people's: a vote cast here, or a promote (`Up` Vote) of an imported Salesforce
Idea by a Salesforce user matching a person (see feedback/idea_votes.py); a person who
did both counts once. External votes are the Idea's other promotes, by users matching
nobody here: they count at half a person's weight and bring no team, since nobody here
vouches for who cast them. Demotes (`Down`) count for nothing.

The score never changes with the passage of time, only with votes and ratings, so a
stored, indexed score keeps rankings stable page after page. The last term breaks ties
in favour of newer items: TAU_SECONDS (30 days) of age is worth one point.

Worked example — an IDEA on a TIER_1 service, rated 2, created 2026-01-01T00:00:00Z
(1,767,225,600 s), with 9 votes from people in 3 teams:
    2.0·ln(10) + 1.0·ln(4) + 0.5·3 + 1.0·1.0 + 1,767,225,600 / 2,592,000
  = 4.6052 + 1.3863 + 1.5 + 1.0 + 681.8000 = 690.2915
An otherwise identical item created a day later scores 0.0333 more; one more vote
(10 votes) adds 2.0·(ln 11 - ln 10) = 0.1906. Imported from Salesforce with 4 external
votes besides, it scores 690.2915 + 1.0·ln(5) = 690.2915 + 1.6094 = 691.9009; a fifth
external vote adds 1.0·(ln 6 - ln 5) = 0.1823.
"""

from __future__ import annotations

import math
from datetime import datetime

W_VOTES = 2.0
W_EXTERNAL = 1.0
W_TEAMS = 1.0
W_PAIN = 0.5
W_TIER = 1.0
TAU_SECONDS = 30 * 24 * 3600

TIER_WEIGHTS = {"TIER_1": 1.0, "TIER_2": 0.75, "TIER_3": 0.5, "TIER_4": 0.25}
UNRANKED_KINDS = frozenset({"PRAISE"})


def pain(rating: int | None) -> int:
    return 0 if rating is None else 5 - rating


def priority_score(
    *,
    kind: str,
    votes: int,
    voter_teams: int,
    rating: int | None,
    tier: str,
    created_at: datetime,
    external_votes: int = 0,
) -> float | None:
    """The stored score, or None for kinds that are not ranked."""
    if kind in UNRANKED_KINDS:
        return None
    return (
        W_VOTES * math.log1p(votes)
        + W_EXTERNAL * math.log1p(external_votes)
        + W_TEAMS * math.log1p(voter_teams)
        + W_PAIN * pain(rating)
        + W_TIER * TIER_WEIGHTS[tier]
        + created_at.timestamp() / TAU_SECONDS
    )
