from __future__ import annotations

from dataclasses import dataclass

from graph.places import CommuneMap


@dataclass(frozen=True)
class Commune:
    id: str
    code: str
    name: str
    kind: str  # "phường" or "xã"
    name_ascii: str
    province: str

    @classmethod
    def from_record(cls, row: CommuneMap) -> Commune:
        return cls(
            id=row["id"],
            code=row["code"],
            name=row["name"],
            kind=row["kind"],
            name_ascii=row["nameAscii"],
            province=row["province"],
        )
