"""Statement counts of the hot lists: GraphQL fragments that select every field of a list's items (their
nested objects too: author or seller, relation, ward, community, reactions, first comments and replies) and a
call that counts the Cypher statements a request runs (``graph.driver.statement_counter``).

A list must cost the same number of statements for 2 items as for 20 (DESIGN.md, "Request life"); the tests
of each list assert its figure (``same_for_any_length``), so a field that starts to run one query per item fails
them.

Left out on purpose, as lists of their own under each item (one page per item, paginated by the client):
an actor's ``followers``, ``posts``, ``connections``, ``following``, ``mutualConnections`` and requests, an
organisation's ``representationHistory`` and ``pendingInvitations``, a listing's ``interests`` (owners only).
"""

from __future__ import annotations

from typing import Any

import httpx

from graph.driver import statement_counter
from tests.support import gql

#: Every field of an actor shown in a list (as an author, a seller, a connection or a search result). The
#: person-only fields ``contacts``, ``verificationRequests`` and ``organizations`` are the viewer's own: they
#: cost something only on the viewer's own items (their posts, their listings).
ACTOR = """
fragment ActorFields on Actor {
  id displayName kind verificationLevel createdAt
  relation { connected requestSent requestReceived following blocked muted }
  ... on Person {
    roles dateOfBirth sex phone email investorSectors closed identityDocumentKind identityDocumentLast4
    ward { id code name nameAscii kind fullName province }
    audiences { dateOfBirth sex phone email ward investorSectors }
    contacts { id kind value verifiedAt }
    verificationRequests { id status }
    organizations { role organization { id displayName } }
  }
  ... on Organization {
    organizationKind sector taxCodeMasked myRole
    representatives { role since person { id displayName } }
  }
}
"""

#: Every field of a post in a list, with its first comments and their replies.
POST = (
    """
fragment PostFields on Post {
  id text visibility tags createdAt editedAt
  author { ...ActorFields }
  reactions { total mine counts { kind count } }
  comments(first: 3) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id text createdAt author { ...ActorFields }
      replies { id text createdAt author { ...ActorFields } }
    } }
  }
  community { id name kind myRole description joinPolicy memberCount myJoinRequestPending createdAt }
  ward { id code name nameAscii kind fullName province }
}
"""
    + ACTOR
)

#: Every field of a listing in a list (``interests`` is the owner's list of its own, null for anyone else).
LISTING = (
    """
fragment ListingFields on Listing {
  id kind title description priceDong priceMinDong priceMaxDong priceOnRequest stock category wardCode photoUrls
  status createdAt updatedAt viewerIsOwner sellerRating { average count }
  seller { ...ActorFields }
  ward { id code name nameAscii kind fullName province }
}
"""
    + ACTOR
)


async def counted(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, *, headers: dict[str, str] | None
) -> tuple[int, dict[str, Any]]:
    """How many Cypher statements a GraphQL call ran, and its body (which must hold no error)."""
    counter = [0]
    token = statement_counter.set(counter)
    try:
        body = await gql(client, query, variables, headers=headers)
    finally:
        statement_counter.reset(token)
    assert "errors" not in body, body
    return counter[0], body


def same_for_any_length(small: int, large: int, most: int) -> bool:
    """A short page and a long one cost the same, at most ``most`` statements: one per loader and nesting level.

    Two loads of one loader at one level may fall into the same event-loop tick or into two, so a count may be
    below ``most`` (e.g. the relations of post authors and of comment authors read together), on either page: other
    tasks on the loop (the webhook dispatcher, the usage flush) shift the ticks. A list that grows with its length
    costs statements more on the long page, which this refuses: the long page may cost at most one more than the
    short one, never more than ``most``."""
    return small <= most and large <= most and large - small <= 1
