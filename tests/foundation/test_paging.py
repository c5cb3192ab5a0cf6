"""The building blocks of lists paged both ways: ``PageRequest.window``/``page`` (core/pagination.py),
``graph.paging.both_ways`` and the ``nodes`` shortcut of every connection (``CountedConnection``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.errors import UserInputError
from core.pagination import DEFAULT_PAGE_SIZE, CursorKind, Page, PageRequest, keyset_kind
from graph.paging import both_ways
from schema.common import CountedConnection
from schema.health import SchemaMigration
from tests.support import error_codes, gql

KIND = CursorKind("numbers", ("int",))
#: A list of 1..7 shown in display order; a graph query reads it forwards (ascending) or backwards (descending).
ITEMS = list(range(1, 8))


def read(request: PageRequest) -> list[int]:
    """What a graph query built with ``both_ways`` returns for ``request.window(KIND)``: at most ``limit`` rows
    between the bounds, in reading order."""
    window = request.window(KIND)
    rows = [
        n
        for n in ITEMS
        if (window.after is None or n > window.after[0]) and (window.before is None or n < window.before[0])
    ]
    if window.backwards:
        rows.reverse()
    return rows[: window.limit]


def page(request: PageRequest) -> Page[int]:
    return request.page(read(request), KIND, lambda n: (n,))


def cursor(n: int) -> str:
    return KIND.encode(n)


def test_from_args_forwards_backwards_and_refusals():
    assert PageRequest.from_args(first=None, after=None) == PageRequest(size=DEFAULT_PAGE_SIZE)
    assert PageRequest.from_args(first=None, after=None, last=3, before="c") == PageRequest(
        size=3, before="c", backwards=True
    )
    assert PageRequest.from_args(first=2, after="", last=None, before="") == PageRequest(size=2)
    for args, field in [
        ({"first": 1, "last": 1}, "first"),
        ({"first": -1}, "first"),
        ({"last": -1}, "last"),
        ({"first": 101}, "first"),
        ({"last": 101}, "last"),
    ]:
        with pytest.raises(UserInputError) as refused:
            PageRequest.from_args(after=None, **{"first": None, **args})
        assert refused.value.field == field, args


def test_window_decodes_both_bounds_and_reads_one_more_than_the_page():
    window = PageRequest(size=2, after=cursor(1), before=cursor(6)).window(KIND)
    assert (window.after, window.before, window.backwards, window.limit) == ((1,), (6,), False, 3)
    backwards = PageRequest(size=2, before=cursor(6), backwards=True).window(KIND)
    assert (backwards.after, backwards.before, backwards.backwards, backwards.limit) == (None, (6,), True, 3)


@pytest.mark.parametrize("field", ["after", "before"])
def test_window_refuses_a_cursor_of_another_list_naming_its_argument(field):
    other = keyset_kind("feed").encode(datetime(2026, 5, 1, 8, tzinfo=UTC), "x")
    with pytest.raises(UserInputError) as refused:
        PageRequest(size=2, **{field: other}).window(KIND)
    assert refused.value.field == field


def test_a_scoped_cursor_is_refused_by_the_same_list_of_another_owner():
    mine, yours = KIND.scoped("me"), KIND.scoped("you")
    assert mine.decode(mine.encode(3)) == (3,)
    with pytest.raises(UserInputError):
        yours.decode(mine.encode(3), field="before")
    with pytest.raises(UserInputError):
        KIND.decode(mine.encode(3))


def test_forward_pages_walk_the_list_in_display_order():
    first = page(PageRequest(size=3))
    assert (first.items, first.has_next_page, first.has_previous_page) == ([1, 2, 3], True, False)
    assert first.cursors == [cursor(1), cursor(2), cursor(3)]
    second = page(PageRequest(size=3, after=first.cursors[-1]))
    assert (second.items, second.has_next_page, second.has_previous_page) == ([4, 5, 6], True, True)
    last = page(PageRequest(size=3, after=second.cursors[-1]))
    assert (last.items, last.has_next_page, last.has_previous_page) == ([7], False, True)


def test_backward_pages_walk_from_the_end_in_display_order():
    last = page(PageRequest(size=3, backwards=True))
    assert (last.items, last.has_previous_page, last.has_next_page) == ([5, 6, 7], True, False)
    middle = page(PageRequest(size=3, before=last.cursors[0], backwards=True))
    assert (middle.items, middle.has_previous_page, middle.has_next_page) == ([2, 3, 4], True, True)
    first = page(PageRequest(size=3, before=middle.cursors[0], backwards=True))
    assert (first.items, first.has_previous_page, first.has_next_page) == ([1], False, True)
    assert first.cursors == [cursor(1)]


def test_both_bounds_give_the_items_between():
    between = page(PageRequest(size=10, after=cursor(2), before=cursor(6)))
    assert (between.items, between.has_next_page, between.has_previous_page) == ([3, 4, 5], False, True)
    backwards = page(PageRequest(size=2, after=cursor(2), before=cursor(6), backwards=True))
    assert (backwards.items, backwards.has_previous_page, backwards.has_next_page) == ([4, 5], True, True)


def test_an_empty_page():
    empty = page(PageRequest(size=0))
    assert (empty.items, empty.cursors, empty.has_next_page) == ([], [], True)
    nothing = page(PageRequest(size=3, after=cursor(7)))
    assert (nothing.items, nothing.has_next_page, nothing.has_previous_page) == ([], False, True)


def test_both_ways_turns_the_direction_tokens_around():
    query = both_ways("MATCH (p) RETURN p ORDER BY p.createdAt {DESC}, p.id {DESC}, p.rank {ASC} LIMIT $limit")
    assert query.forwards == "MATCH (p) RETURN p ORDER BY p.createdAt DESC, p.id DESC, p.rank ASC LIMIT $limit"
    assert query.backwards == "MATCH (p) RETURN p ORDER BY p.createdAt ASC, p.id ASC, p.rank DESC LIMIT $limit"
    assert query.of(False) == query.forwards and query.of(True) == query.backwards
    with pytest.raises(AssertionError):
        both_ways("MATCH (p) RETURN p ORDER BY p.createdAt DESC")


async def test_both_ways_reads_the_rows_next_to_the_cursor(graph):
    """On Neo4j: the backward query of a window reads the rows just before ``before``, not the first ones."""
    query = both_ways(
        "UNWIND range(1, 7) AS n WITH n WHERE ($before IS NULL OR n < $before) RETURN n ORDER BY n {ASC} LIMIT $limit"
    )

    async def rows(backwards: bool) -> list[int]:
        async def work(tx):
            result = await tx.run(query.of(backwards), before=6, limit=3)
            return [record["n"] async for record in result]

        return await graph.read(work)

    assert await rows(False) == [1, 2, 3]
    assert await rows(True) == [5, 4, 3]


def test_counted_connection_nodes_are_the_nodes_of_its_edges():
    migrations = [
        SchemaMigration(uuid=f"m{n}", number=n, name=f"m{n}", description="", checksum="", applied_at=datetime.now(UTC))
        for n in (1, 2)
    ]
    connection = CountedConnection.from_page(
        Page(items=migrations, cursors=["a", "b"], has_next_page=False, has_previous_page=False, total_count=2),
        lambda m: m,
    )
    assert connection.nodes() == migrations
    assert [e.cursor for e in connection.edges] == ["a", "b"] and connection.total_count == 2
    assert (connection.page_info.start_cursor, connection.page_info.end_cursor) == ("a", "b")


async def test_every_connection_answers_nodes_through_the_api(client):
    query = "{ schemaMigrations(first: 3) { nodes { id number } edges { node { id number } } } }"
    connection = (await gql(client, query))["data"]["schemaMigrations"]
    assert connection["nodes"] == [edge["node"] for edge in connection["edges"]] and len(connection["nodes"]) == 3


MIGRATION_PAGE = """
query Migrations($first: Int, $after: String, $last: Int, $before: String) {
  schemaMigrations(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { number } }
  }
}
"""


async def test_schema_migrations_page_both_ways_through_the_api(client):
    async def walk(**start) -> list[int]:
        seen: list[int] = []
        variables = dict(start)
        while True:
            connection = (await gql(client, MIGRATION_PAGE, variables))["data"]["schemaMigrations"]
            numbers = [edge["node"]["number"] for edge in connection["edges"]]
            info = connection["pageInfo"]
            if "last" in start:
                seen = numbers + seen
                if not info["hasPreviousPage"]:
                    return seen
                variables = {"last": start["last"], "before": info["startCursor"]}
            else:
                seen += numbers
                if not info["hasNextPage"]:
                    return seen
                variables = {"first": start["first"], "after": info["endCursor"]}

    total = (await gql(client, MIGRATION_PAGE, {"first": 100}))["data"]["schemaMigrations"]["totalCount"]
    assert total >= 3
    forwards, backwards = await walk(first=2), await walk(last=2)
    assert forwards == backwards == list(range(1, total + 1))

    everything = (await gql(client, MIGRATION_PAGE, {"first": 100}))["data"]["schemaMigrations"]["edges"]
    between = await gql(
        client, MIGRATION_PAGE, {"first": 100, "after": everything[0]["cursor"], "before": everything[-1]["cursor"]}
    )
    assert [e["node"]["number"] for e in between["data"]["schemaMigrations"]["edges"]] == list(range(2, total))

    foreign = keyset_kind("feed").encode(datetime(2026, 5, 1, 8, tzinfo=UTC), "x")
    for argument in ("after", "before"):
        body = await gql(client, MIGRATION_PAGE, {"last" if argument == "before" else "first": 2, argument: foreign})
        assert error_codes(body) == ["INVALID_INPUT"] and body["errors"][0]["extensions"]["field"] == argument
