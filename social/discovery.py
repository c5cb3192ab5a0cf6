"""Discovery: people I may know, a trust path to someone, and search of posts and communities.

Rules kept here (resolvers only pass arguments through):

- **People you may know** come from friends of friends (2 hops) and shared communities. The score is
  ``3 x mutual connections + 1 x shared communities`` (a mutual connection is stronger evidence than
  living in the same ward). Ties: more mutual connections first, then by id. Never suggested: myself,
  my connections, anyone with a pending request to or from me, anyone blocked either way, closed
  accounts, people who opted out (``socialPreferencesSet(suggestionsOptOut: true)``). A shared ward
  counts only when the candidate's ward is visible to people they are not connected with (its
  audience, identity's privacy rule): a suggestion must not reveal where someone lives.
- **Trust path**: the shortest chain of connections (at most 4 hops) from me to a person, or to
  anyone who represents an organisation, through people who are all level-2 verified and active and
  not blocked by or with me. Shown only when every person on it is visible to me.
- **Search** of posts (only those I may see: ``POST_VISIBLE``, inside the statement) and communities, through the
  full-text indexes, with or without Vietnamese diacritics.

People leave this module only as ``identity.views`` views (``persons_by_ids``, or the records of a compiled read
that the resolver turns into views), posts only as a page of ``social.post_lists`` (the search of posts is compiled as
the other lists of posts are: one statement), communities only through ``social.communities.communities_by_ids``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import UserInputError
from core.pagination import INT, CursorKind, PageRequest
from core.runtime import Runtime
from core.text import search_query
from graph import discovery as queries
from graph.discovery import Suggestion as SuggestionRow
from identity import privacy
from identity import views as identity_views
from identity.model import OrganizationView, PersonView
from identity.views import ActorRecord, ActorShape
from social import post_lists, visibility
from social.post_lists import PostListPage, PostShape

#: Score of a suggestion: MUTUAL_WEIGHT per mutual connection + COMMUNITY_WEIGHT per shared community.
MUTUAL_WEIGHT = 3
COMMUNITY_WEIGHT = 1
DEFAULT_SUGGESTIONS = 10
MAX_SUGGESTIONS = 50
#: Bounds of the traversal: two-hop paths walked through friends, and candidates each source (friends
#: of friends, shared communities) may bring to scoring.
PATH_CAP = 5000
CANDIDATE_CAP = 300
#: Search considers this many best text matches, then keeps those the viewer may see.
SEARCH_WINDOW = 1000


@dataclass(frozen=True)
class Suggestion:
    """Someone I may know, and why."""

    person: PersonView
    score: int
    mutual_count: int
    shared_communities: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class TrustPath:
    """People from me (first) to the target or the organisation's representative (last)."""

    people: tuple[PersonView, ...]
    hops: int


# --- people you may know ---------------------------------------------------------------------------------------


def suggestion_reason(mutual_count: int, same_ward: bool, other_communities: list[str]) -> str:
    """'4 mutual connections, same ward', '1 mutual connection, both in Câu lạc bộ cờ tướng', ..."""
    parts = []
    if mutual_count:
        parts.append(f"{mutual_count} mutual connection{'' if mutual_count == 1 else 's'}")
    if same_ward:
        parts.append("same ward")
    if len(other_communities) == 1:
        parts.append(f"both in {other_communities[0]}")
    elif other_communities:
        parts.append(f"{len(other_communities)} shared communities")
    return ", ".join(parts)


def _suggestion(row: SuggestionRow, view: PersonView) -> Suggestion | None:
    shared = list(row.shared)
    if view.ward is None:  # belt and braces: the query counted a ward only if its audience allows it
        shared = [c for c in shared if c.kind != "ward"]
    wards = [c for c in shared if c.kind == "ward"]
    others = sorted(c.name for c in shared if c.kind != "ward")
    score = MUTUAL_WEIGHT * row.mutual_count + COMMUNITY_WEIGHT * len(shared)
    if score <= 0:
        return None
    return Suggestion(
        person=view,
        score=score,
        mutual_count=row.mutual_count,
        shared_communities=tuple([c.name for c in wards] + others),
        reason=suggestion_reason(row.mutual_count, bool(wards), others),
    )


#: Turns the records a statement read of people (``graph.identity.actor_map``) into their views, by id: the resolver's
#: (``resolvers.identity.prime_records``), which primes the people's nested fields from them.
ViewsOf = Callable[[list[ActorRecord]], Mapping[str, PersonView | OrganizationView | None]]


async def _people(
    rt: Runtime, viewer: Viewer, ids: list[str], records: list[ActorRecord] | None, views_of: ViewsOf | None
) -> list[PersonView | None]:
    """The people of ``ids`` as the viewer may see them: from the records the statement read when there are,
    else read now (``identity.views.persons_by_ids``)."""
    if views_of is None or records is None:
        return await identity_views.persons_by_ids(rt, viewer, ids)
    views = views_of(records)
    return [v if isinstance(v := views.get(i), PersonView) else None for i in ids]


async def people_you_may_know(
    rt: Runtime, viewer: Viewer, first: int | None, shape: ActorShape | None = None, views_of: ViewsOf | None = None
) -> list[Suggestion]:
    """Up to ``first`` (default 10, at most 50) suggestions for the signed-in person, best first. With ``shape`` and
    ``views_of``, the suggestions and their people are one statement (``_people``)."""
    me = authorize(viewer, "social.discovery.suggest_people")
    size = DEFAULT_SUGGESTIONS if first is None else first
    if not 0 <= size <= MAX_SUGGESTIONS:
        raise UserInputError("Ask for 0 to {most} suggestions.", field="first", params={"most": MAX_SUGGESTIONS})
    if size == 0:
        return []
    # A shared ward community reveals the candidate's ward: it counts only when their ward's audience lets me see it
    # (identity's privacy rule; ``graph.rules.audience_admits`` in the query).
    rows = await rt.graph.read(
        queries.people_you_may_know,
        me,
        limit=size,
        path_cap=PATH_CAP,
        candidate_cap=CANDIDATE_CAP,
        mutual_weight=MUTUAL_WEIGHT,
        community_weight=COMMUNITY_WEIGHT,
        ward_audience_default=privacy.DEFAULT_AUDIENCES["ward"].value,
        shape=shape if views_of is not None else None,
    )
    records = [r.actor for r in rows if r.actor is not None] if views_of is not None else None
    views = await _people(rt, viewer, [r.id for r in rows], records, views_of)
    found = [_suggestion(r, v) for r, v in zip(rows, views, strict=False) if v is not None]
    ranked = [s for s in found if s is not None]
    ranked.sort(key=lambda s: (-s.score, -s.mutual_count))  # stable: keeps the query's id order on ties
    return ranked


# --- trust path ---------------------------------------------------------------------------------------------------


async def trust_path(
    rt: Runtime, viewer: Viewer, to_id: str, shape: ActorShape | None = None, views_of: ViewsOf | None = None
) -> TrustPath | None:
    """The shortest verified chain of connections from me to a person or an organisation; None if none. With
    ``shape`` and ``views_of``, the path and its people are one statement (``_people``)."""
    me = authorize(viewer, "social.discovery.find_trust_path")
    found = await rt.graph.read(
        queries.trust_path,
        me,
        to_id,
        privacy.DEFAULT_AUDIENCES[visibility.RELATIONS_FIELD].value,
        shape if views_of is not None else None,
    )
    if found is None:
        return None
    people = [p for p in await _people(rt, viewer, found.ids, found.actors, views_of) if p is not None]
    if len(people) < len(found.ids):
        return None  # someone on it is hidden from me: the path is not shown
    return TrustPath(people=tuple(people), hops=found.hops)


# --- search ---------------------------------------------------------------------------------------------------------

#: Cursors of postSearch: the position in the ranked, filtered window of matches, scoped to the search (the query
#: the text became, ``for_filters``): a cursor of another search is refused.
POST_SEARCH_CURSOR = CursorKind("postSearch", (INT,), max_int=SEARCH_WINDOW)


async def search_posts(
    rt: Runtime, viewer: Viewer, text: str, request: PageRequest, shape: PostShape, *, comment_limit: int = 0
) -> PostListPage:
    """Posts I may see whose text matches, best match first; paged either way by position among the
    ``SEARCH_WINDOW`` best matches. One statement reads the page with what ``shape`` selects of its posts
    (``social.post_lists``: ``comment_limit`` first comments of each, when selected)."""
    query = search_query(text, field="text")
    kind = POST_SEARCH_CURSOR.for_filters(search=query)
    after, before = request.positions(kind)
    found = await rt.graph.read(
        queries.search_posts,
        query,
        viewer.actor_id,
        shape,
        after=after,
        before=before,
        size=request.size,
        backwards=request.backwards,
        window=SEARCH_WINDOW,
        comment_limit=comment_limit,
    )
    return post_lists.listed_page(request.ranked_page(found.posts, found.start, kind), found.actors, shape)
