"""Root fields of reference geography: Hà Nội's wards and communes."""

from __future__ import annotations

import strawberry

from resolvers import places as places_resolvers
from schema.places import Commune, CommuneConnection


@strawberry.type
class PlacesQuery:
    """Query fields of places; merged into the root Query by schema.assemble."""

    communes: CommuneConnection = strawberry.field(
        resolver=places_resolvers.communes,
        description="Hà Nội's 126 wards (phường) and communes (xã), by code; searchable with or without diacritics.",
    )
    commune: Commune | None = strawberry.field(
        resolver=places_resolvers.commune, description="One ward or commune by its official code."
    )
