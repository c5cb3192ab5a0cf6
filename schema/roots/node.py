"""The root fields of every node: ``node(id:)`` and ``nodes(ids:)``."""

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
    nodes: list[relay.Node | None] = strawberry.field(
        resolver=node_resolvers.nodes,
        description=(
            "Fetch objects by their global ids (Relay), in the order asked, at most "
            f"{node_resolvers.MAX_NODES}: null for an id that names nothing or something hidden from you; an id "
            "this API did not issue is null with an INVALID_INPUT error at its position."
        ),
    )
