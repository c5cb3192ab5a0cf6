"""PROFILE of the discovery queries (people you may know, trust path, search) on a synthetic graph.

Seeds about 10,000 people with ~10 connections each (mostly near neighbours in the same or a nearby
ward, some random), ward memberships, a few pending requests and blocks, organisations with
representatives and two posts per person, and one very connected person (1,000 connections, to show
the caps at work); then, for a few viewers and that one, runs ``PROFILE`` on the queries
of ``graph/discovery.py`` and prints total db hits, rows and milliseconds, next to raw-Cypher
baselines (the textbook queries: a label-anchored friends-of-friends count and ``shortestPath`` with
a path predicate), and the end-to-end service calls (which add ``identity.views.persons_by_ids``).

Seeding uses raw ``UNWIND`` batches (a benchmark, not a fixture). It goes into the database of
``NEO4J_URI`` or the local development server, and refuses when that database already holds people
unless ``--force``. ``--throwaway`` starts a temporary Neo4j instead (as the test suite does),
applies the migrations, and stops and deletes it at the end::

    .venv/bin/python -m bench.social_profile --throwaway
    .venv/bin/python -m bench.social_profile --people 20000 --force     # into NEO4J_URI / var/neo4j

Milliseconds are client-side wall time (p50 of ``--rounds`` unprofiled runs, after warm-up); a
throwaway server runs with a small heap and the C1 JIT only, so its times are pessimistic. Db hits do
not depend on that.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from auth.viewer import Viewer
from core.runtime import Runtime
from core.settings import Settings, get_settings
from core.text import fold
from graph import communities, discovery
from graph import identity as identity_queries
from graph import posts as graph_posts
from graph.driver import Graph, keyset
from graph.local_neo4j import LocalNeo4j, connection_target
from graph.migrations import apply_migrations
from identity import privacy
from social import discovery as service
from social.communities import COMMUNITY_KIND_WORDS

BATCH = 2000
FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Thanh", "Bảo"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phong",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Việt",
    "Yến",
]
TOPICS = [
    "phở bò ở {w}",
    "tắc đường trên phố {w}",
    "chợ đêm {w} cuối tuần",
    "cà phê trứng gần {w}",
    "mất điện khu {w}",
    "hội chợ sách {w}",
    "trường mầm non {w} tuyển sinh",
    "ngập nước đường {w}",
]

# --- raw seeding statements (benchmark only) ---------------------------------------------------------------------

COUNT_PEOPLE = "MATCH (p:Person) RETURN count(p) AS n"
WARD_COMMUNITIES = "MATCH (c:Community {kind: 'ward'}) RETURN c.id AS id, c.name AS name ORDER BY c.wardCode"
SEED_PEOPLE = """
UNWIND $rows AS row
CREATE (p:Actor:Person)
SET p = row, p.createdAt = datetime()
"""
SEED_ORGANIZATIONS = """
UNWIND $rows AS row
CREATE (o:Actor:Organization)
SET o = row, o.createdAt = datetime()
"""
SEED_MEMBERSHIPS = """
UNWIND $rows AS row
MATCH (p:Actor {id: row.person}), (c:Community {id: row.community})
CREATE (p)-[:MEMBER_OF {role: 'member', since: datetime()}]->(c)
"""
SEED_EDGES = {
    "CONNECTED": """
UNWIND $rows AS row
MATCH (a:Actor {id: row.a}), (b:Actor {id: row.b})
CREATE (a)-[:CONNECTED {since: datetime()}]->(b)
""",
    "REQUESTED": """
UNWIND $rows AS row
MATCH (a:Actor {id: row.a}), (b:Actor {id: row.b})
CREATE (a)-[:REQUESTED {at: datetime()}]->(b)
""",
    "BLOCKED": """
UNWIND $rows AS row
MATCH (a:Actor {id: row.a}), (b:Actor {id: row.b})
CREATE (a)-[:BLOCKED {at: datetime()}]->(b)
""",
    "REPRESENTS": """
UNWIND $rows AS row
MATCH (a:Actor {id: row.a}), (b:Actor {id: row.b})
CREATE (a)-[:REPRESENTS {role: 'owner', since: datetime()}]->(b)
""",
}
SEED_POSTS = """
UNWIND $rows AS row
MATCH (a:Actor {id: row.author})
CREATE (a)-[:POSTED]->(:Post {id: row.id, text: row.text, searchText: row.searchText, visibility: row.visibility,
                              tags: [], status: 'active', createdAt: datetime()})
"""

#: Walks from a viewer through active level-2 people, to pick trust-path targets that can be reached.
_VERIFIED = "{assuranceLevel: 2, status: 'active'}"
WALK = {
    hops: "MATCH (me:Actor {id: $id})"
    + "".join(f"-[:CONNECTED]-(:Person {_VERIFIED})" for _ in range(hops - 1))
    + "-[:CONNECTED]-(end:Person {status: 'active'}) WHERE end <> me AND NOT (me)-[:CONNECTED]-(end) RETURN end.id AS id LIMIT 1"
    for hops in (3, 4)
}

# --- baselines: the textbook queries, as they are usually first written ------------------------------------------

BASELINE_FOF_LABEL_ANCHOR = """
MATCH (me:Person {id: $viewerId})-[:CONNECTED]-(:Person)-[:CONNECTED]-(candidate:Person)
WHERE candidate <> me AND NOT (me)-[:CONNECTED]-(candidate)
RETURN candidate.id AS id, count(*) AS mutual
ORDER BY mutual DESC LIMIT 10
"""
BASELINE_FOF_INDEXED = """
MATCH (me:Actor {id: $viewerId})-[:CONNECTED]-(:Person)-[:CONNECTED]-(candidate:Person)
WHERE candidate <> me AND NOT (me)-[:CONNECTED]-(candidate)
RETURN candidate.id AS id, count(*) AS mutual
ORDER BY mutual DESC LIMIT 10
"""
#: The textbook feed: posts of my connections, newest first (no follows, communities, visibility or mutes).
BASELINE_FEED = """
MATCH (:Person {id: $viewerId})-[:CONNECTED]-(author:Person)-[:POSTED]->(post:Post)
RETURN post.id AS id, author.id AS authorId ORDER BY post.createdAt DESC LIMIT $limit
"""
BASELINE_SHORTEST_PATH = """
MATCH (me:Person {id: $viewerId}), (to:Person {id: $toId})
MATCH p = shortestPath((me)-[:CONNECTED*..4]-(to))
WHERE all(n IN nodes(p)[1..-1] WHERE n.assuranceLevel = 2 AND n.status = 'active')
RETURN length(p) AS hops
"""


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


async def _batches(graph: Graph, statement: str, rows: list[dict]) -> None:
    async def work(tx, chunk):
        result = await tx.run(statement, rows=chunk)
        await result.consume()

    for start in range(0, len(rows), BATCH):
        await graph.write(work, rows[start : start + BATCH])


async def seed(graph: Graph, people: int, degree: int, hub_degree: int, rng: random.Random) -> dict:
    """Create the synthetic population; returns what the profiling needs (ids, wards)."""

    async def read_rows(tx, statement):
        return [dict(r) async for r in await tx.run(statement)]

    wards = await graph.read(read_rows, WARD_COMMUNITIES)
    started = time.perf_counter()
    defaults = privacy.default_audience_properties()
    ward_key = privacy.audience_property("ward")
    persons = []
    for i in range(people):
        name = _name(rng)
        level = rng.choices([0, 1, 2], weights=[25, 25, 50])[0]
        persons.append(
            {
                **defaults,
                "id": str(uuid.uuid4()),
                "displayName": name,
                "fullName": name,
                "searchName": fold(name),
                "status": "closed" if rng.random() < 0.01 else "active",
                "assuranceLevel": level,
                "roles": ["resident"],
                "suggestionsOptOut": rng.random() < 0.03,
                ward_key: "public" if rng.random() < 0.3 else defaults[ward_key],
            }
        )
    await _batches(graph, SEED_PEOPLE, persons)
    ids = [p["id"] for p in persons]
    # Neighbourhoods: consecutive people share a ward, so near neighbours are also ward-mates.
    ward_of = [wards[(i * len(wards)) // people]["id"] for i in range(people)]
    await _batches(
        graph,
        SEED_MEMBERSHIPS,
        [{"person": ids[i], "community": ward_of[i]} for i in range(people) if persons[i]["status"] == "active"],
    )
    pairs: set[tuple[int, int]] = set()
    for i in range(people):
        for _ in range(degree // 2):
            j = (i + rng.randint(1, 60)) % people if rng.random() < 0.7 else rng.randrange(people)
            if i != j:
                pairs.add((min(i, j), max(i, j)))
    hub = next(i for i, p in enumerate(persons) if p["status"] == "active")  # one very connected person
    for j in rng.sample(range(people), min(hub_degree, people - 1)):
        if j != hub:
            pairs.add((min(hub, j), max(hub, j)))
    await _batches(graph, SEED_EDGES["CONNECTED"], [{"a": ids[a], "b": ids[b]} for a, b in pairs])
    requests = {(rng.randrange(people), rng.randrange(people)) for _ in range(people // 2)}
    requests = {(a, b) for a, b in requests if a != b and (min(a, b), max(a, b)) not in pairs}
    await _batches(graph, SEED_EDGES["REQUESTED"], [{"a": ids[a], "b": ids[b]} for a, b in requests])
    blocks = {(rng.randrange(people), rng.randrange(people)) for _ in range(people // 5)}
    await _batches(graph, SEED_EDGES["BLOCKED"], [{"a": ids[a], "b": ids[b]} for a, b in blocks if a != b])
    organizations = [
        {
            "id": str(uuid.uuid4()),
            "displayName": f"Công ty {i}",
            "searchName": f"cong ty {i}",
            "orgKind": "business",
            "status": "active",
            "assuranceLevel": 0,
        }
        for i in range(100)
    ]
    await _batches(graph, SEED_ORGANIZATIONS, organizations)
    await _batches(
        graph,
        SEED_EDGES["REPRESENTS"],
        [{"a": ids[rng.randrange(people)], "b": org["id"]} for org in organizations for _ in range(rng.randint(1, 3))],
    )
    posts = []
    for i in range(people):
        for _ in range(2):
            text = rng.choice(TOPICS).format(w=rng.choice(wards)["name"].split(" ", 1)[1]) + f" — {_name(rng)}"
            posts.append(
                {
                    "id": str(uuid.uuid4()),
                    "author": ids[i],
                    "text": text,
                    "searchText": fold(text),
                    "visibility": "public" if rng.random() < 0.6 else "connections",
                }
            )
    await _batches(graph, SEED_POSTS, posts)
    print(
        f"seeded {people} people, {len(pairs)} connections ({2 * len(pairs) / people:.1f} per person), "
        f"{len(requests)} requests, {len(blocks)} blocks, {len(organizations)} organisations, {len(posts)} posts "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return {"ids": ids, "persons": persons, "organizations": [o["id"] for o in organizations], "hub": ids[hub]}


# --- measuring ------------------------------------------------------------------------------------------------------


def _db_hits(plan: dict) -> int:
    return plan.get("dbHits", 0) + sum(_db_hits(child) for child in plan.get("children", []))


async def profile(graph: Graph, statement: str, params: dict, rounds: int) -> tuple[int, int, float]:
    """(total db hits, rows, p50 ms over ``rounds`` unprofiled runs) of one read statement."""

    async def profiled(tx):
        result = await tx.run("PROFILE " + statement, params)
        rows = [r async for r in result]
        summary = await result.consume()
        return len(rows), _db_hits(summary.profile)

    async def plain(tx):
        result = await tx.run(statement, params)
        return [r async for r in result]

    for _ in range(3):  # warm-up: plan cache, page cache
        await graph.read(plain)
    rows, hits = await graph.read(profiled)
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        await graph.read(plain)
        samples.append(time.perf_counter() - started)
    return hits, rows, statistics.median(samples) * 1000


async def timed(call, rounds: int) -> float:
    for _ in range(3):
        await call()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def line(name: str, hits: int | None, rows: int | None, ms: float) -> str:
    hits_text = f"{hits:>9,}" if hits is not None else "        -"
    rows_text = f"{rows:>5}" if rows is not None else "    -"
    return f"  {name:<58} db hits {hits_text}   rows {rows_text}   {ms:8.2f} ms"


async def measure(
    graph: Graph, settings: Settings, population: dict, viewers: int, rounds: int, rng: random.Random
) -> None:
    persons = population["persons"]
    active = [p["id"] for p in persons if p["status"] == "active"]

    async def degree_of(tx, person_id):
        result = await tx.run("MATCH (p:Actor {id: $id}) RETURN COUNT { (p)-[:CONNECTED]-() } AS d", id=person_id)
        return (await result.single())["d"]

    async def reachable(tx, person_id):
        """Ends of a 3-hop and a 4-hop walk through verified people (the shortest path may be shorter)."""
        found = []
        for hops in (3, 4):
            result = await tx.run(WALK[hops], id=person_id)
            record = await result.single()
            if record is not None:
                found.append((hops, record["id"]))
        return found

    chosen = rng.sample(active, viewers) + [population["hub"]]
    pymk_params = {
        "limit": 10,
        "pathCap": service.PATH_CAP,
        "candidateCap": service.CANDIDATE_CAP,
        "mutualWeight": service.MUTUAL_WEIGHT,
        "communityWeight": service.COMMUNITY_WEIGHT,
        "wardAudienceDefault": privacy.DEFAULT_AUDIENCES["ward"].value,
    }
    runtime = Runtime(settings=settings, graph=graph, identity_key=b"", keyring=None, sender=None)  # type: ignore[arg-type]
    for viewer_id in chosen:
        viewer = Viewer(kind="person", actor_id=viewer_id, assurance_level=2)
        print(f"\nviewer {viewer_id} (degree {await graph.read(degree_of, viewer_id)})")
        params = {"viewerId": viewer_id, **pymk_params}
        print(
            line(
                "PYMK  graph.discovery.PEOPLE_YOU_MAY_KNOW",
                *await profile(graph, discovery.PEOPLE_YOU_MAY_KNOW, params, rounds),
            )
        )
        print(
            line(
                "PYMK  baseline: fof count, (:Person {id}) anchor",
                *await profile(graph, BASELINE_FOF_LABEL_ANCHOR, params, rounds),
            )
        )
        print(
            line(
                "PYMK  baseline: fof count, (:Actor {id}) anchor",
                *await profile(graph, BASELINE_FOF_INDEXED, params, rounds),
            )
        )
        feed_params = {
            "viewerId": viewer_id,
            "limit": 21,
            **keyset(None),
            **keyset(None, prefix="before"),
            **keyset(None, prefix="commentsAfter"),
            **keyset(None, prefix="commentsBefore"),
        }
        posts_only, _ = graph_posts.post_list_query("feed", graph_posts.PostShape())
        print(
            line(
                "FEED  graph.posts feed, posts only",
                *await profile(graph, posts_only, {**feed_params, "commentLimit": 0}, rounds),
            )
        )
        shown = graph_posts.PostShape(
            author=identity_queries.ActorShape(), reactions=True, comments=True, comment_rows=True
        )
        everything, _ = graph_posts.post_list_query("feed", shown)
        print(
            line(
                "FEED  graph.posts feed + authors, reactions, 3 comments",
                *await profile(graph, everything, {**feed_params, "commentLimit": 3}, rounds),
            )
        )
        print(
            line(
                "FEED  baseline: posts of connections, newest first",
                *await profile(graph, BASELINE_FEED, feed_params, rounds),
            )
        )
        suggestions = await service.people_you_may_know(runtime, viewer, 10)
        print(
            line(
                "PYMK  service end to end (query + persons_by_ids)",
                None,
                len(suggestions),
                await timed(lambda v=viewer: service.people_you_may_know(runtime, v, 10), rounds),
            )
        )
        if suggestions:
            print(
                f"    best: {suggestions[0].person.display_name}: score {suggestions[0].score}, {suggestions[0].reason}"
            )
        targets = [(f"a person {hops} verified hops away", t) for hops, t in await graph.read(reachable, viewer_id)]
        targets += [
            ("a random person", rng.choice(active)),
            ("a random organisation", rng.choice(population["organizations"])),
        ]
        for label, to_id in targets:
            kind = "organisation" if to_id in population["organizations"] else "person"
            relations_default = privacy.DEFAULT_AUDIENCES["connections"].value
            found = await graph.read(discovery.trust_path, viewer_id, to_id, relations_default)
            outcome = f"{found.hops} hops" if found else "no path"
            params = {"viewerId": viewer_id, "toId": to_id, "relationsAudienceDefault": relations_default}
            print(
                line(f"trust path to {label} ({outcome})", *await profile(graph, discovery.TRUST_PATH, params, rounds))
            )
            if kind == "person":
                print(
                    line(
                        "trust  baseline: shortestPath + all(), label anchors",
                        *await profile(graph, BASELINE_SHORTEST_PATH, params, rounds),
                    )
                )
        print(
            line(
                "persons_by_ids, 10 ids (identity, used by every view)",
                *await profile(
                    graph,
                    identity_queries.PERSONS_BY_IDS,
                    {"ids": rng.sample(active, 10), "viewerId": viewer_id},
                    rounds,
                ),
            )
        )
    viewer_id = chosen[0]
    print(f"\nsearch as viewer {viewer_id}")
    for text in ("phở bò", "Nguyen Van An", "ngập nước đường hoàn kiếm"):
        params = {
            "query": service.search_query(text),
            "viewerId": viewer_id,
            "after": None,
            "before": None,
            "size": 20,
            "backwards": False,
            "window": service.SEARCH_WINDOW,
        }
        print(line(f"posts: {text!r}", *await profile(graph, discovery.SEARCH_POSTS, params, rounds)))
    for text in ("phuong hoan kiem", "Xã Sóc Sơn"):
        params = {
            "search": service.search_query(text, optional_words=COMMUNITY_KIND_WORDS),
            "kind": None,
            "viewerId": viewer_id,
            "limit": 21,
            "afterName": None,
            "afterId": None,
        }
        print(
            line(
                f"communities: {text!r}", *await profile(graph, communities.COMMUNITIES_PAGES["search"], params, rounds)
            )
        )


async def run(settings: Settings, uri: str, password: str, args: argparse.Namespace) -> None:
    graph = Graph.connect(settings, uri=uri, password=password)
    try:
        await apply_migrations(graph)

        async def count(tx):
            return (await (await tx.run(COUNT_PEOPLE)).single())["n"]

        existing = await graph.read(count)
        if existing and not args.force:
            raise SystemExit(
                f"{uri} already holds {existing} people; this benchmark adds {args.people} synthetic ones. "
                "Use --throwaway for a temporary server, or --force to add them anyway."
            )
        rng = random.Random(args.seed)
        population = await seed(graph, args.people, args.degree, args.hub_degree, rng)
        print(f"HanoiSmart discovery PROFILE against {uri} ({args.rounds} timed runs per line)")
        await measure(graph, settings, population, args.viewers, args.rounds, rng)
    finally:
        await graph.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--degree", type=int, default=10, help="average connections per person")
    parser.add_argument("--hub-degree", type=int, default=1000, help="connections of one very connected person")
    parser.add_argument("--viewers", type=int, default=4, help="random viewers, plus the very connected one")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--force", action="store_true", help="seed even if the database already holds people")
    parser.add_argument("--throwaway", action="store_true", help="start a temporary Neo4j, stop and delete it after")
    args = parser.parse_args()
    if not args.throwaway:
        settings = get_settings()
        uri, password = connection_target(settings)
        asyncio.run(run(settings, uri, password, args))
        return
    settings = Settings(environment="test", neo4j_start_timeout_seconds=180)
    home = Path(tempfile.mkdtemp(prefix="hanoismart-bench-neo4j-"))
    server = LocalNeo4j.throwaway(settings, home)
    server.start()
    try:
        asyncio.run(run(settings, server.uri, server.password, args))
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
