"""The service the REST feedback tests submit to."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.builders.catalog import create_service


@pytest.fixture
async def service(session: AsyncSession) -> Any:
    return await create_service(session, slug="case-management")
