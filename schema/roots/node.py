"""The root field of every node: ``node(id:)``."""

from __future__ import annotations

import strawberry
from strawberry import relay

from resolvers import node as node_resolvers


@strawberry.type
class NodeQuery:
    """Query fields of node; merged into the root Query by schema.assemble."""

    node: relay.Node | None = strawberry.field(
        resolver=node_resolvers.node,
        description="Fetch any object by its global id (Relay). Null when it does not exist or is hidden from you.",
    )
