"""What demo requests say: titles and bodies by kind, drawn without repeats. Pure."""

from __future__ import annotations

import random

from server.demo.desk import DeskService
from work.requests.models import RequestKind

_A, _CH, _DA = RequestKind.ACCESS, RequestKind.CHANGE, RequestKind.DATA
_Q, _DF = RequestKind.QUESTION, RequestKind.DEFECT

TITLES: dict[RequestKind, tuple[str, ...]] = {
    _A: (
        "Access to {service} for {person}",
        "{person} needs the {service} admin permission set",
        "Remove {person}'s access to {service}",
        "Read-only {service} access for {person}'s audit",
    ),
    _CH: (
        "New list view in {service} for {person}",
        "Add a picklist value in {service} for {person}'s team",
        "Update the {service} email template for {person}",
        "Change a validation rule in {service} for {person}",
    ),
    _DA: (
        "Bulk update of {service} records for {person}",
        "Export of {service} data for {person}'s review",
        "Merge duplicate {service} records reported by {person}",
        "Restore {service} records {person} deleted by mistake",
    ),
    _Q: (
        "{person} asks who approves changes to {service}",
        "{person} asks where the {service} runbook is",
        "{person} asks whether {service} has an API",
    ),
    _DF: (
        "{service}: saving fails for {person}",
        "{service} keeps {person} in a login loop",
        "{service} report times out for {person}",
        "{service} sends {person} duplicate emails",
    ),
}
BODIES = {
    _A: "Starting on a new account team; my manager approved it.",
    _CH: "Small change, agreed with the product owner.",
    _DA: "The list of records is in the attached spreadsheet.",
    _Q: "Could not find it on the wiki.",
    _DF: "Happens at every login since Monday; screenshots attached.",
}


class Titles:
    """Distinct titles, drawn in a fixed order whatever `now` is."""

    def __init__(self, rng: random.Random, people: tuple[str, ...], names: dict[str, str]):
        self.rng, self.people, self.names, self.used = rng, people, names, set[str]()

    def draw(self, kind: RequestKind, service: DeskService) -> tuple[str, str]:
        while True:
            requester = self.rng.choice(self.people)
            template = self.rng.choice(TITLES[kind])
            title = template.format(service=service.name, person=self.names[requester])
            if title not in self.used:
                self.used.add(title)
                return title, requester
