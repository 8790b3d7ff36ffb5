"""A fake Salesforce for tests and the demo: real HTTPS, real REST shapes, real errors."""

from salesforce.fake.org import FakeOrg
from salesforce.fake.server import FakeSalesforce

__all__ = ["FakeOrg", "FakeSalesforce"]
