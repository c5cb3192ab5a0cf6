"""Resolvers of discovery: read the viewer and arguments, call one service function, wrap the result."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.pagination import PageRequest
from graph.identity import ActorShape
from resolvers.common import decode_id, runtime, viewer
from resolvers.identity import prime_records, shape_below
from resolvers.post_lists import post_shape, prime_post_list
from schema.common import AFTER, BEFORE, FIRST, LAST
from schema.discovery import PersonSuggestion, TrustPath
from schema.identity import Person
from schema.social import PostConnection
from social import discovery as service

SEARCH_TEXT = Annotated[
    str,
    strawberry.argument(description="Words to find, with or without diacritics (at most 200 characters and 20 words)."),
]


async def people_you_may_know(
    info: strawberry.Info,
    first: Annotated[
        int | None, strawberry.argument(description="How many suggestions (default 10, at most 50).")
    ] = None,
) -> list[PersonSuggestion]:
    shape = shape_below(info, "person") or ActorShape(display=True)
    found = await service.people_you_may_know(
        runtime(info), viewer(info), first, shape, lambda records: prime_records(info, records, shape)
    )
    return [
        PersonSuggestion(
            person=Person.of(s.person),
            score=s.score,
            mutual_count=s.mutual_count,
            shared_communities=list(s.shared_communities),
            reason=s.reason,
        )
        for s in found
    ]


async def trust_path(
    info: strawberry.Info,
    actor_id: Annotated[
        strawberry.ID, strawberry.argument(description="Global id of the person or organisation to reach.")
    ],
) -> TrustPath | None:
    shape = shape_below(info, "people") or ActorShape(display=True)
    found = await service.trust_path(
        runtime(info),
        viewer(info),
        decode_id(actor_id, ("Person", "Organization"), "actorId", info),
        shape,
        lambda records: prime_records(info, records, shape),
    )
    if found is None:
        return None
    return TrustPath(people=[Person.of(p) for p in found.people], hops=found.hops)


async def post_search(
    info: strawberry.Info,
    text: SEARCH_TEXT,
    first: FIRST = None,
    after: AFTER = None,
    last: LAST = None,
    before: BEFORE = None,
) -> PostConnection:
    shape, comment_limit = post_shape(info)
    listed = await service.search_posts(
        runtime(info),
        viewer(info),
        text,
        PageRequest.from_args(first=first, after=after, last=last, before=before),
        shape,
        comment_limit=comment_limit,
    )
    return prime_post_list(info, listed, shape)
