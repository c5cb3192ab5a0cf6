"""Interest-group communities and moderation: id lookups by kind of actor, the directory index, and the
one-open-report rule."""

from __future__ import annotations

DESCRIPTION = (
    "Person and organisation ids indexed under their own labels; communities by kind and folded name; "
    "at most one open report per reporter and subject."
)

STATEMENTS = [
    # actor_id_unique covers (:Actor {id}) only: a pattern written (:Person {id: $id}) could not use it and
    # scanned every person. These make the person and organisation id lookups of every domain index seeks.
    "CREATE CONSTRAINT person_id_unique IF NOT EXISTS FOR (p:Person) REQUIRE p.id IS UNIQUE",
    "CREATE CONSTRAINT organization_id_unique IF NOT EXISTS FOR (o:Organization) REQUIRE o.id IS UNIQUE",
    # communities(kind:, first:, after:) filters on kind and pages on (searchName, id).
    "CREATE INDEX community_kind_name IF NOT EXISTS FOR (c:Community) ON (c.kind, c.searchName)",
    # openKey = '<reporter id>:<subject id>' while a report is open, removed when it is decided.
    "CREATE CONSTRAINT report_open_key_unique IF NOT EXISTS FOR (r:Report) REQUIRE r.openKey IS UNIQUE",
]
