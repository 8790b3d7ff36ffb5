"""Vendor incidents as GraphQL sees them: the snapshot the `salesforce-trust-incidents` job
keeps, never read live."""

from __future__ import annotations

from datetime import datetime

import strawberry

from catalog.trust import models

STATUS_PAGE = "https://status.salesforce.com/incidents/"


@strawberry.type(
    description="A Salesforce incident on one or more instances, as the Trust status API"
    " (CATALOG_SALESFORCE_TRUST_URL) last described it. Time an incident of ours overlaps it"
    " counts against the vendor, not the team."
)
class VendorIncident:
    trust_id: int = strawberry.field(description="The incident's number on the Trust site.")
    instance_keys: list[str] = strawberry.field(description="The instances it hit (NA135...).")
    affects_all: bool = strawberry.field(description="Every instance is hit.")
    is_core: bool
    severity: str = strawberry.field(description="major or minor (its worst impact).")
    impact_type: str | None = strawberry.field(
        description="serviceDisruption, performanceDegradation, featureDisruption..."
    )
    message: str | None = strawberry.field(description="Its latest published message.")
    started_at: datetime
    ended_at: datetime | None = strawberry.field(description="Null while it is open.")
    synced_at: datetime
    url: str = strawberry.field(description="Its page on status.salesforce.com.")

    @classmethod
    def from_model(cls, row: models.VendorIncident) -> VendorIncident:
        return cls(
            trust_id=row.trust_id,
            instance_keys=list(row.instance_keys),
            affects_all=row.affects_all,
            is_core=row.is_core,
            severity=row.severity,
            impact_type=row.impact_type,
            message=row.message,
            started_at=row.started_at,
            ended_at=row.ended_at,
            synced_at=row.synced_at,
            url=f"{STATUS_PAGE}{row.trust_id}",
        )
