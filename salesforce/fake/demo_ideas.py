"""Demo Votes on a fake org's Ideas, by its users (the ones matching demo people among
them), so that imported Ideas rank by their votes. Deterministic per org."""

from __future__ import annotations

import random

from salesforce.fake import ideas
from salesforce.fake.org import FakeOrg


def add_votes(org: FakeOrg) -> None:
    """Between none and 25 voters an Idea, nine in ten of them promoting it; every Idea's
    totals then agree with its Votes."""
    pick = random.Random(f"{org.org_id}:votes")
    users = sorted(org.records["User"])
    for idea_id in sorted(org.records["Idea"]):
        for user_id in pick.sample(users, k=min(len(users), pick.randint(0, 25))):
            vote_type = "Up" if pick.random() < 0.9 else "Down"
            org.add("Vote", ParentId=idea_id, Type=vote_type, CreatedById=user_id)
        idea = org.records["Idea"][idea_id]
        ideas.recount(idea, [v for v in org.records["Vote"].values() if v["ParentId"] == idea_id])
