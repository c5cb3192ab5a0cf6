"""GraphQL shapes of discovery: people I may know and trust paths.

Post search returns the social ``PostConnection``; communities are found with ``communities(search:)``
(schema.communities). Search comes as separate connections (``actors``, ``postSearch``, ``communities``)
rather than one union: each list keeps its own cursors and ``pageInfo``, and a client asks only for what it shows.
"""

from __future__ import annotations

import strawberry

from schema.identity import Person


@strawberry.type(description="Someone I may know: a person suggested to me, with why.")
class PersonSuggestion:
    person: Person = strawberry.field(description="The person suggested (fields hidden from me are null).")
    score: int = strawberry.field(
        description="Rank of the suggestion: 3 per mutual connection + 1 per shared community; higher first."
    )
    mutual_count: int = strawberry.field(description="How many of my connections are also connected with them.")
    shared_communities: list[str] = strawberry.field(
        description="Names of communities we both belong to (a ward only when they show their ward to everyone)."
    )
    reason: str = strawberry.field(description="Why, for people: e.g. '4 mutual connections, same ward'.")


@strawberry.type(description="A chain of connections from me to someone, through level-2 verified people only.")
class TrustPath:
    people: list[Person] = strawberry.field(
        description="From me (first) to the person asked for, or to a representative of the organisation asked for (last)."
    )
    hops: int = strawberry.field(
        description="Number of connections on the chain: 1 to 4; 0 when the target is me or an organisation I represent."
    )
