"""Vendor-attributed time: the part of an incident that overlaps a Trust incident it is linked
to, or one overlapping it on an instance its services' orgs run on. That time counts against
Salesforce, not the team (service_levels.metric_sql uses the same SQL for AVAILABILITY and MTTR).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# The Trust incidents an incident `i` counts against, as a lateral `vendor` with their `ids`
# and the union of their spans, `ranges` (NULL when none).
VENDOR_RANGES = """
      LEFT JOIN LATERAL (
        SELECT range_agg(tstzrange(v.started_at, coalesce(v.ended_at, 'infinity'))) AS ranges,
               array_agg(v.id ORDER BY v.started_at, v.id) AS ids
          FROM vendor_incident AS v
         WHERE v.id = i.vendor_incident_id
            OR (v.started_at < coalesce(i.mitigated_at, 'infinity')
                AND coalesce(v.ended_at, 'infinity') > i.detected_at
                AND EXISTS (
                    SELECT 1
                      FROM incident_service AS vs
                      JOIN service_salesforce_org AS so ON so.service_id = vs.service_id
                      JOIN salesforce_org AS o ON o.id = so.salesforce_org_id
                     WHERE vs.incident_id = i.id AND o.instance_key IS NOT NULL
                       AND (v.affects_all OR o.instance_key = ANY(v.instance_keys))))
      ) AS vendor ON TRUE"""


def vendor_seconds(start: str, end: str) -> str:
    """SQL: the seconds of [start, end) inside the incident's vendor ranges."""
    return f"""coalesce((SELECT sum(extract(epoch FROM upper(r) - lower(r))::float)
                 FROM unnest(vendor.ranges * tstzmultirange(tstzrange({start}, {end}))) AS r), 0)"""


@dataclass(frozen=True)
class VendorAttribution:
    seconds: float = 0.0  # of [detected, mitigated or now)
    vendor_incident_ids: list[uuid.UUID] = field(default_factory=list)


_ATTRIBUTION = text(f"""
SELECT i.id, {vendor_seconds("i.detected_at", "coalesce(i.mitigated_at, now())")} AS seconds,
       coalesce(vendor.ids, '{{}}') AS ids
  FROM incident AS i{VENDOR_RANGES}
 WHERE i.id = ANY(CAST(:ids AS uuid[]))""")


async def vendor_attribution_by_incident_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, VendorAttribution]:
    """Each incident's vendor-attributed seconds and the Trust incidents they overlap."""
    rows = await session.execute(_ATTRIBUTION, {"ids": list(ids)})
    return {
        incident_id: VendorAttribution(float(seconds or 0.0), list(vendor_ids or []))
        for incident_id, seconds, vendor_ids in rows
    }
