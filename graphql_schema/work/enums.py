"""The work domain's own enum, exposed to GraphQL once: the value stream."""

import strawberry

from work.value_streams import ValueStream

strawberry.enum(ValueStream, description="The IT4IT value stream a piece of work belongs to.")
