"""GraphQL shapes of reference geography."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from places.model import Commune as CommuneModel
from schema.common import CountedConnection

if TYPE_CHECKING:  # schema.communities imports this module (through schema.identity); strawberry.lazy reaches it
    from schema.communities import Community


@strawberry.enum(description="Kind of commune-level unit.")
class CommuneKind(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    WARD = strawberry.enum_value("ward", description="Phường: an urban ward.")
    COMMUNE = strawberry.enum_value("commune", description="Xã: a rural commune.")


@strawberry.type(description="One of Hà Nội's 126 commune-level units in force since 1 July 2025 (51 phường, 75 xã).")
class Commune(relay.Node):
    uuid: relay.NodeID[str]
    code: str = strawberry.field(description="Official 5-digit code (Decision 19/2025/QĐ-TTg), e.g. 00004.")
    name: str = strawberry.field(description="Name without the Phường/Xã prefix, with diacritics, e.g. Ba Đình.")
    name_ascii: str = strawberry.field(description="Name without diacritics, e.g. Ba Dinh.")
    kind: CommuneKind = strawberry.field(description="Ward (phường) or commune (xã).")
    full_name: str = strawberry.field(description="Name with its prefix, e.g. Phường Ba Đình.")
    province: str = strawberry.field(description="Province-level city: Hà Nội.")

    @strawberry.field(
        description="The ward community of this ward or commune: its residents belong to it, and its `posts` are "
        "what is new there. Null if it has none."
    )
    async def community(
        self, info: strawberry.Info
    ) -> Annotated[Community, strawberry.lazy("schema.communities")] | None:
        from resolvers.communities import ward_community  # noqa: PLC0415 (the resolvers import the shapes)

        return await ward_community(info, self.uuid)

    @classmethod
    def of(cls, c: CommuneModel) -> Commune:
        kind = CommuneKind.WARD if c.kind == "phường" else CommuneKind.COMMUNE
        prefix = "Phường" if kind is CommuneKind.WARD else "Xã"
        return cls(
            uuid=c.id,
            code=c.code,
            name=c.name,
            name_ascii=c.name_ascii,
            kind=kind,
            full_name=f"{prefix} {c.name}",
            province=c.province,
        )


@strawberry.type(description="A page of communes.")
class CommuneConnection(CountedConnection[Commune]):
    pass
