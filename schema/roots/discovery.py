"""Root fields of discovery: people I may know, trust paths, post search."""

from __future__ import annotations

import strawberry

from resolvers import discovery as discovery_resolvers
from schema.discovery import PersonSuggestion, TrustPath
from schema.social import PostConnection


@strawberry.type
class DiscoveryQuery:
    """Query fields of discovery; merged into the root Query by schema.assemble."""

    people_you_may_know: list[PersonSuggestion] = strawberry.field(
        resolver=discovery_resolvers.people_you_may_know,
        description="People I may know (friends of friends, shared communities), best first, each with why.",
    )
    trust_path: TrustPath | None = strawberry.field(
        resolver=discovery_resolvers.trust_path,
        description="The shortest chain (at most 4 connections) from me to a person or an organisation's "
        "representative through level-2 verified people only; null when there is none I may see.",
    )
    post_search: PostConnection = strawberry.field(
        resolver=discovery_resolvers.post_search,
        description="Posts I may see whose text matches ('Nguyen Van An' finds 'Nguyễn Văn An'), best match first "
        "among the 1000 best matches; signed out, public posts only.",
    )
