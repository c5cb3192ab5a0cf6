"""Statements per request of the hot lists of posts and of the inbox, through HTTP, with the full fragments of
``tests.statements`` (every field of a post, of its author, its comments, their replies and their authors).

Each list (a search of posts too) is compiled into one Cypher statement (``graph.posts``, ``graph.notifications``)
that projects what the client selected and primes the request's DataLoaders, so the nested fields run no query: a
page of 2 and a page of 20 cost the same. A signed-in request also reads its session
(``auth.sessions.viewer_from_token``: one statement), and a list below ``node(id:)`` or ``community(id:)`` comes after
that root's own statement. The actors shown with posts are read by identity's ``graph.identity.actor_map``: the slim
display record when nothing but display fields is selected of them, an organisation's representatives with it.

Posts are no partner app's to read (``partners.fields``: ``Post``, ``feed``, ``postSearch`` are refused), so their
lists are counted as a resident only; the inbox as an app too.
"""

from __future__ import annotations

from uuid import uuid4

import pytest

from bench.operations import FEED as BENCH_FEED
from graph import posts as graph_posts
from graph import social as social_queries
from graph.identity import display_projection
from tests import statements
from tests.identity.people import Someone, make_verified, register, uuid_of
from tests.partners.support import ORG_REGISTER, app_token, make_partner, seed_app, seed_grant, tax_code
from tests.social.helpers import FOLLOW, REACT, comment, connect, post, set_edge
from tests.support import gql

#: The session read of a signed-in request.
SESSION = 1
#: The statement of ``node(id:)`` or ``community(id:)`` above a list.
ROOT = 1
#: A partner app's request that read personal data (its person's notifications are) writes what it read to the
#: person's access log (``partners.access_log``): one write statement.
ACCESS_LOG = 1

ACTOR_POSTS = (
    """
query ActorPosts($id: ID!, $first: Int) {
  node(id: $id) {
    ... on Actor { posts(first: $first) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...PostFields } } } }
  }
}
"""
    + statements.POST
)
COMMUNITY_POSTS = (
    """
query CommunityPosts($id: ID!, $first: Int) {
  community(id: $id) { posts(first: $first) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...PostFields } } } }
}
"""
    + statements.POST
)
FEED = (
    """
query Feed($first: Int) {
  feed(first: $first) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...PostFields } } }
}
"""
    + statements.POST
)
INBOX = (
    """
query Inbox($first: Int) {
  unreadNotificationCount
  notifications(first: $first) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id kind createdAt readAt subjectId reason actor { ...ActorFields } } }
  }
}
"""
    + statements.ACTOR
)
#: What an app with ``notifications.read`` and ``profile.basic`` may select of the inbox.
APP_INBOX = """
query Inbox($first: Int) {
  unreadNotificationCount
  notifications(first: $first) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id kind createdAt readAt subjectId reason actor { id kind ... on Person { displayName } } } }
  }
}
"""
GROUP = """
mutation Create($input: CommunityCreateInput!) { communityCreate(input: $input) { community { id } errors { code } } }
"""
JOIN = "mutation Join($id: ID!) { communityJoin(input: {communityId: $id}) { errors { code message } } }"
WARDS = ("00070", "00004", "00008")


async def _discussed(client, written: str, readers: list[Someone], replier: Someone, i: int) -> None:
    """Two comments, a reply to the first and two reactions on a post."""
    first = await comment(client, readers[0], written, f"Ý kiến về tin {i}")
    await comment(client, readers[1], written, f"Tôi đồng ý, tin {i}")
    await comment(client, replier, written, "Cảm ơn!", first)
    for who in readers:
        await gql(client, REACT, {"post": written, "kind": "LIKE"}, headers=who.auth)


async def _two_and_twenty(client, document: str, variables: dict, headers) -> tuple[int, int, dict]:
    small, _ = await statements.counted(client, document, {**variables, "first": 2}, headers=headers)
    large, body = await statements.counted(client, document, {**variables, "first": 20}, headers=headers)
    return small, large, body


async def test_a_persons_posts_and_the_feed_cost_one_statement_for_2_posts_or_20(client):
    viewer, author, reader, other = [await register(client) for _ in range(4)]
    await connect(client, viewer, author)
    await connect(client, viewer, reader)  # a commenter the viewer is connected with, and one who is a stranger
    await set_edge(client, FOLLOW, viewer, other)
    for i in range(20):
        written = await post(client, author, f"Tin số {i}", "PUBLIC", wardCode=WARDS[i % 3])
        await _discussed(client, written, [reader, other], author, i)

    small, large, body = await _two_and_twenty(client, ACTOR_POSTS, {"id": author.id}, viewer.auth)
    edges = body["data"]["node"]["posts"]["edges"]
    assert len(edges) == 20 and body["data"]["node"]["posts"]["totalCount"] is None or len(edges) == 20
    assert all(e["node"]["author"]["relation"]["connected"] for e in edges)
    assert all(
        e["node"]["reactions"] == {"total": 2, "mine": None, "counts": [{"kind": "LIKE", "count": 2}]} for e in edges
    )
    assert all(
        e["node"]["comments"]["totalCount"] == 2 and e["node"]["comments"]["edges"][0]["node"]["replies"] for e in edges
    )
    assert all(e["node"]["ward"]["code"] in WARDS for e in edges)
    print(f"a person's posts, every field: {small} statements for 2 posts, {large} for 20")
    assert small == large == SESSION + ROOT + 1, (small, large)

    small, large, body = await _two_and_twenty(client, FEED, {}, viewer.auth)
    edges = body["data"]["feed"]["edges"]
    assert len(edges) == 20 and all(e["node"]["comments"]["edges"][0]["node"]["author"]["displayName"] for e in edges)
    print(f"feed, every field: {small} statements for 2 posts, {large} for 20")
    assert small == large == SESSION + 1, (small, large)


async def test_an_organisations_posts_cost_one_statement_for_2_posts_or_20(app, client):
    owner = await make_verified(app, client)
    viewer, reader, other = [await register(client) for _ in range(3)]
    created = await gql(
        client,
        ORG_REGISTER,
        {"input": {"name": "Công ty TNHH Phở Hà Nội", "kind": "BUSINESS", "taxCode": tax_code()}},
        headers=owner.auth,
    )
    organization = created["data"]["organizationRegister"]["organization"]["id"]
    await set_edge(client, FOLLOW, viewer, Someone(organization, "", "", "", "", ""))
    for i in range(20):
        written = f"org-post-{i}"

        async def work(tx, i=i, written=written):
            await social_queries.create_post(
                tx,
                id=written,
                author_id=uuid_of(organization),
                text=f"Khuyến mãi số {i}",
                search_text=f"khuyen mai so {i}",
                visibility="public",
                tags=["pho"],
                community_id=None,
                ward_code=WARDS[i % 3],
            )

        await app.state.runtime.graph.write(work)
        from strawberry import relay

        await _discussed(client, str(relay.GlobalID("Post", written)), [reader, other], reader, i)

    small, large, body = await _two_and_twenty(client, ACTOR_POSTS, {"id": organization}, viewer.auth)
    edges = body["data"]["node"]["posts"]["edges"]
    assert len(edges) == 20 and all(e["node"]["author"]["relation"]["following"] for e in edges)
    assert all(e["node"]["comments"]["totalCount"] == 2 for e in edges)
    for e in edges:
        shown = e["node"]["author"]["representatives"]
        assert [(r["role"], r["person"]["id"]) for r in shown] == [("OWNER", owner.id)] and shown[0]["person"][
            "displayName"
        ]
    print(f"an organisation's posts, every field: {small} statements for 2 posts, {large} for 20")
    # Organization.representatives is read with the author (graph.identity.actor_map), once for the page.
    assert small == large == SESSION + ROOT + 1, (small, large)


async def test_a_communitys_posts_cost_one_statement_for_2_posts_or_20(app, client):
    founder = await make_verified(app, client)
    reader, other = await register(client), await register(client)
    created = await gql(
        client, GROUP, {"input": {"name": "Hội phụ huynh Phố cổ", "joinPolicy": "OPEN"}}, headers=founder.auth
    )
    community = created["data"]["communityCreate"]["community"]["id"]
    viewer = await register(client)
    for who in (reader, other, viewer):
        await gql(client, JOIN, {"id": community}, headers=who.auth)
    for i in range(20):
        written = await post(
            client, (founder, other)[i % 2], f"Tin số {i}", "COMMUNITY", communityId=community, wardCode=WARDS[i % 3]
        )
        await _discussed(client, written, [reader, other], founder, i)

    small, large, body = await _two_and_twenty(client, COMMUNITY_POSTS, {"id": community}, viewer.auth)
    edges = body["data"]["community"]["posts"]["edges"]
    assert len(edges) == 20 and all(e["node"]["community"]["myRole"] == "MEMBER" for e in edges)
    assert all(e["node"]["comments"]["edges"][0]["node"]["replies"][0]["author"]["id"] == founder.id for e in edges)
    print(f"a community's posts, every field: {small} statements for 2 posts, {large} for 20")
    assert small == large == SESSION + ROOT + 1, (small, large)

    small, large, body = await _two_and_twenty(client, COMMUNITY_POSTS, {"id": community}, None)
    assert body["data"]["community"]["posts"]["edges"] == [], "a community's posts are for its members"
    print(f"a community's posts, signed out: {small} statements for 2 posts, {large} for 20")
    assert small == large == ROOT + 1, (small, large)


async def test_the_inbox_costs_one_statement_for_2_notifications_or_20_as_a_resident_and_as_an_app(app, client):
    partner = await make_partner(app, client)
    me = await register(client)
    others = [await register(client) for _ in range(4)]
    written = await post(client, me, "Ai đi xem hoa sen không?")
    for i in range(20):
        await comment(client, others[i % 4], written, f"Mình đi! {i}")
    for who in others:
        await gql(client, REACT, {"post": written, "kind": "LIKE"}, headers=who.auth)

    small, large, body = await _two_and_twenty(client, INBOX, {}, me.auth)
    assert len(body["data"]["notifications"]["edges"]) == 20 and body["data"]["unreadNotificationCount"] == 24
    assert all(e["node"]["actor"]["displayName"] for e in body["data"]["notifications"]["edges"])
    print(f"inbox, every field: {small} statements for 2 notifications, {large} for 20")
    assert small == large == SESSION + 1, (small, large)

    seeded = await seed_app(app, partner, scopes=("openid", "profile.basic", "notifications.read"))
    grant = await seed_grant(app, seeded, uuid_of(me.id))
    headers = app_token(app, seeded, grant)
    small, large, body = await _two_and_twenty(client, APP_INBOX, {}, headers)
    assert len(body["data"]["notifications"]["edges"]) == 20 and body["data"]["unreadNotificationCount"] == 24
    print(f"inbox, as an app: {small} statements for 2 notifications, {large} for 20")
    assert small == large == SESSION + 1 + ACCESS_LOG, (small, large)


SEARCH = (
    """
query Search($text: String!, $first: Int) {
  postSearch(text: $text, first: $first) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...PostFields } }
  }
}
"""
    + statements.POST
)


async def test_post_search_costs_one_statement_for_2_hits_or_20(client):
    viewer, author, reader, other, stranger = [await register(client) for _ in range(5)]
    await connect(client, viewer, author)
    await connect(client, viewer, reader)
    await set_edge(client, FOLLOW, viewer, other)
    word = f"sen{uuid4().hex[:10]}"  # found in these posts only
    for i in range(20):
        written = await post(client, author, f"Hồ {word} số {i}", "PUBLIC", wardCode=WARDS[i % 3])
        await _discussed(client, written, [reader, other], author, i)
    for i in range(3):  # matches the viewer may not see: a stranger's posts for their connections
        await post(client, stranger, f"Hồ {word} riêng {i}", "CONNECTIONS")

    small, large, body = await _two_and_twenty(client, SEARCH, {"text": word}, viewer.auth)
    found = body["data"]["postSearch"]
    edges = found["edges"]
    assert len(edges) == 20 and not found["pageInfo"]["hasNextPage"]
    assert all(e["node"]["author"]["id"] == author.id and e["node"]["author"]["relation"]["connected"] for e in edges)
    assert all(e["node"]["author"]["roles"] == ["RESIDENT"] and e["node"]["author"]["ward"] for e in edges)
    assert all(
        e["node"]["reactions"] == {"total": 2, "mine": None, "counts": [{"kind": "LIKE", "count": 2}]} for e in edges
    )
    assert all(
        e["node"]["comments"]["totalCount"] == 2 and e["node"]["comments"]["edges"][0]["node"]["replies"] for e in edges
    )
    assert all(e["node"]["ward"]["code"] in WARDS for e in edges)
    print(f"postSearch, every field: {small} statements for 2 hits, {large} for 20")
    assert small == large == SESSION + 1, (small, large)

    small, large, body = await _two_and_twenty(client, SEARCH, {"text": word}, None)
    edges = body["data"]["postSearch"]["edges"]
    assert len(edges) == 20 and all(e["node"]["author"]["relation"] is None for e in edges)
    assert all(e["node"]["author"]["ward"] is None for e in edges), "a ward is for connections by default"
    print(f"postSearch, signed out: {small} statements for 2 hits, {large} for 20")
    assert small == large == 1, (small, large)


def _with_first(document: str) -> str:
    """The bench's feed document (``bench.operations.FEED``, 20 posts) with the page size a variable."""
    changed = document.replace("query Feed {", "query Feed($first: Int) {").replace(
        "feed(first: 20)", "feed(first: $first)"
    )
    assert changed != document and "$first)" in changed
    return changed


@pytest.fixture
def post_statements(monkeypatch) -> list[str]:
    """The texts of the statements of the compiled lists of posts run while the test runs (``graph.posts.run``)."""
    seen: list[str] = []
    real = graph_posts.run

    async def recording(tx, query, /, **params):
        seen.append(query)
        return await real(tx, query, **params)

    monkeypatch.setattr(graph_posts, "run", recording)
    return seen


async def test_the_benchs_feed_costs_one_statement_and_reads_authors_by_their_display_record(client, post_statements):
    viewer, author, reader = [await register(client) for _ in range(3)]
    await connect(client, viewer, author)
    for i in range(20):
        written = await post(client, author, f"Tin số {i}", "PUBLIC")
        await comment(client, reader, written, f"Ý kiến về tin {i}")

    count, body = await statements.counted(client, BENCH_FEED, headers=viewer.auth)
    assert len(body["data"]["feed"]["edges"]) == 20
    print(f"the bench's feed: {count} statements")
    assert count == SESSION + 1, count
    small, large, body = await _two_and_twenty(client, _with_first(BENCH_FEED), {}, viewer.auth)
    edges = body["data"]["feed"]["edges"]
    assert len(edges) == 20 and all(e["node"]["comments"] == {"totalCount": 1} for e in edges)
    assert all(e["node"]["author"]["displayName"] and e["node"]["reactions"] == {"total": 0} for e in edges)
    print(f"the bench's feed: {small} statements for 2 posts, {large} for 20")
    assert small == large == SESSION + 1, (small, large)
    # Nothing but display fields of the authors: the slim display projection, not identity's full one.
    assert post_statements and all(display_projection("actor", "viewer") in s for s in post_statements)
    assert not any("passwordHash" in s for s in post_statements)


MIXED = """
query Mixed($first: Int) {
  feed(first: $first) {
    edges { node {
      author { id displayName }
      comments(first: 2) { edges { node { author { id displayName ... on Person { roles ward { code } } } } } }
    } }
  }
}
"""
TWO_LISTS = """
query TwoLists($id: ID!, $first: Int) {
  feed(first: $first) { edges { node { author { id displayName } } } }
  node(id: $id) {
    ... on Actor { posts(first: $first) { edges { node { author { id ... on Person { roles ward { code } } } } } } }
  }
}
"""


async def test_a_richer_author_selection_still_gets_full_views(client, post_statements):
    viewer, author, reader = [await register(client) for _ in range(3)]
    await connect(client, viewer, author)
    await connect(client, viewer, reader)
    for i in range(20):
        written = await post(client, author, f"Tin số {i}", "PUBLIC")
        await comment(client, reader, written, f"Ý kiến về tin {i}")

    # The authors of posts by their display fields, those of comments by more, in one list: each actor is read once,
    # by the full projection, which answers both places.
    small, large, body = await _two_and_twenty(client, MIXED, {}, viewer.auth)
    edges = body["data"]["feed"]["edges"]
    assert len(edges) == 20 and all(e["node"]["author"]["id"] == author.id for e in edges)
    commenters = [c["node"]["author"] for e in edges for c in e["node"]["comments"]["edges"]]
    assert len(commenters) == 20
    assert all(c["roles"] == ["RESIDENT"] and c["ward"] == {"code": "00070"} for c in commenters)
    assert "passwordHash" in post_statements[-1]
    print(f"posts' authors by display fields, comments' by more: {small} statements for 2 posts, {large} for 20")
    assert small == large == SESSION + 1, (small, large)

    # The same author by display fields in one list and by more in another of the same request: the slim view of
    # the first never answers the second.
    small, large, body = await _two_and_twenty(client, TWO_LISTS, {"id": author.id}, viewer.auth)
    assert all(
        e["node"]["author"] == {"id": author.id, "displayName": author.name} for e in body["data"]["feed"]["edges"]
    )
    shown = [e["node"]["author"] for e in body["data"]["node"]["posts"]["edges"]]
    assert len(shown) == 20 and all(a["roles"] == ["RESIDENT"] and a["ward"] == {"code": "00070"} for a in shown)
    print(f"an author by display fields and by more in two lists: {small} statements for 2 posts, {large} for 20")
    assert small == large == SESSION + 1 + ROOT + 1, (small, large)
