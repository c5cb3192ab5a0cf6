"""The profile-audience rule: ``identity.privacy.may_see`` (on the audience ``audience_of`` reads and the relation
``relation_of`` finds) and its one Cypher mirror ``graph.rules.audience_admits`` agree on every combination of the
stored audience (each audience, and none stored: the field's default) and the viewer's relation to the person
(themself, a connection either way round, someone who follows them and asked to connect, a stranger, signed out; and
a partner app acting for the person themself, for one of their connections, for a stranger: the app is the person
themself only for its grant's person and never anyone's connection, ``relation_of``),
for both fields the queries ask about: the ward (``graph.communities``: a ward community's members;
``graph.discovery``: a shared ward in people you may know) and the lists of relations (``graph.social.RELATIONS_SHOWN``).

Blocks are no part of this rule (``may_see`` knows none): every query that asks it keeps a blocked pair apart with
``graph.rules.blocked_either_way`` besides, and ``tests/rules/test_rules_agree.py`` holds that rule.

One write seeds every combination and one read asks the fragment about all of them.
"""

from __future__ import annotations

import itertools
import uuid

import pytest

from auth.viewer import ANONYMOUS, Viewer
from graph import communities as community_queries
from graph import discovery as discovery_queries
from graph import rules as cypher
from graph import social as social_queries
from identity import privacy
from partners import fields

FIELDS = ("ward", "connections")
AUDIENCES = (None, *(a.value for a in privacy.Audience))  # None: never chosen (people registered before the setting)
#: The viewer's relation to the person, as the graph holds it; each is one of ``privacy.Relation`` to the rule.
RELATIONS = (
    "self", "connection", "connection_in", "follower", "stranger", "anonymous", "app_self", "app_connection",
    "app_stranger",
)  # fmt: skip
CONNECTED = ("connection", "connection_in")
#: A partner app acting for a person: for the person themself, for one of their connections, for a stranger.
APP_RELATIONS = {"app_self": "self", "app_connection": "connection", "app_stranger": "stranger"}
DEFAULTS = {field: privacy.DEFAULT_AUDIENCES[field].value for field in FIELDS}

SEED = """
UNWIND $cases AS case
CREATE (p:Actor:Person {id: case.person, status: 'active'})
SET p += case.stored
WITH case, p
CALL (case, p) {
  WITH case, p WHERE case.viewer IS NOT NULL AND case.viewer <> case.person
  CREATE (v:Actor:Person {id: case.viewer, status: 'active'})
  FOREACH (_ IN CASE WHEN case.relation IN ['connection', 'app_connection'] THEN [1] ELSE [] END |
           CREATE (p)-[:CONNECTED]->(v))
  FOREACH (_ IN CASE WHEN case.relation = 'connection_in' THEN [1] ELSE [] END | CREATE (v)-[:CONNECTED]->(p))
  FOREACH (_ IN CASE WHEN case.relation = 'follower' THEN [1] ELSE [] END |
           CREATE (v)-[:FOLLOWS]->(p), (v)-[:REQUESTED]->(p))
}
"""


def _admits(field: str, viewer: str | None) -> str:
    return cypher.audience_admits(
        "p", field, default=f"${field}AudienceDefault", viewer=viewer, viewer_is_person="viewerIsPerson"
    )


TO_VIEWER = ", ".join(f"{field}: {_admits(field, 'viewer')}" for field in FIELDS)
TO_ANYONE_ELSE = ", ".join(f"{field}: {_admits(field, None)}" for field in FIELDS)
#: For each case, what the fragment says of each field to the case's viewer (null when signed out), and asked for
#: anyone else (``viewer=None``).
ASK = f"""
UNWIND $cases AS case
MATCH (p:Actor {{id: case.person}})
OPTIONAL MATCH (viewer:Person {{id: case.viewer}})
WITH case, p, viewer, NOT case.relation STARTS WITH 'app_' AS viewerIsPerson
RETURN case.person AS person, {{{TO_VIEWER}}} AS toViewer, {{{TO_ANYONE_ELSE}}} AS toAnyoneElse
"""


def _cases() -> list[dict]:
    cases = []
    for ward, connections, relation in itertools.product(AUDIENCES, AUDIENCES, RELATIONS):
        person = str(uuid.uuid4())
        viewer = None if relation == "anonymous" else person if relation in ("self", "app_self") else str(uuid.uuid4())
        chosen = {"ward": ward, "connections": connections}
        stored = {privacy.audience_property(f): a for f, a in chosen.items() if a is not None}
        cases.append({"person": person, "viewer": viewer, "relation": relation, "stored": stored})
    return cases


def _viewer(case: dict) -> Viewer:
    if case["viewer"] is None:
        return ANONYMOUS
    if case["relation"] in APP_RELATIONS:
        scopes = frozenset({"profile.basic", "ward.read", "connections.read"})
        return Viewer(kind="partner_app", actor_id=case["viewer"], scopes=scopes, app_id="app", grant_id="grant")
    return Viewer(kind="person", actor_id=case["viewer"])


def _may_see(case: dict, field: str) -> bool:
    """The Python rule, on the facts as identity reads them (``identity.views.person_view``)."""
    connected = case["relation"] in (*CONNECTED, "app_connection")
    relation = privacy.relation_of(_viewer(case), case["person"], connected=connected)
    return privacy.may_see(privacy.audience_of(case["stored"], field), relation)


async def test_may_see_agrees_with_audience_admits_for_every_audience_and_relation(graph):
    cases = _cases()

    async def seed(tx):
        await tx.run(SEED, cases=cases)

    await graph.write(seed)

    async def ask(tx):
        result = await tx.run(ASK, cases=cases, **{f"{f}AudienceDefault": d for f, d in DEFAULTS.items()})
        return {r["person"]: (r["toViewer"], r["toAnyoneElse"]) async for r in result}

    said = await graph.read(ask)
    assert len(said) == len(cases)
    for case in cases:
        to_viewer, to_anyone_else = said[case["person"]]
        for field in FIELDS:
            assert to_viewer[field] is _may_see(case, field), (field, case)
            anyone_else = privacy.may_see(privacy.audience_of(case["stored"], field), privacy.Relation.OTHER)
            assert to_anyone_else[field] is anyone_else, (field, case)

    # the table itself, in words: a missing audience is the field's default (connections, for both fields); the
    # person always sees their own field, everyone when PUBLIC, their connections (either way round, and only
    # CONNECTED: following or asking is not) when CONNECTIONS, nobody else when ONLY_ME
    for field in FIELDS:
        table = {
            (privacy.audience_of(c["stored"], field), c["relation"]): _may_see(c, field)
            for c in cases
            if privacy.audience_property(field) not in c["stored"]
        }
        seen = [r for r in RELATIONS if table[(privacy.DEFAULT_AUDIENCES[field], r)]]
        assert seen == ["self", *CONNECTED, "app_self"]
    table = {(c["stored"].get("audience_ward"), c["relation"]): _may_see(c, "ward") for c in cases}
    assert [r for r in RELATIONS if table[("public", r)]] == list(RELATIONS)
    # an app sees what its person would of themself, and of anyone else what a stranger would: never as a connection
    assert [r for r in RELATIONS if table[("connections", r)]] == ["self", *CONNECTED, "app_self"]
    assert [r for r in RELATIONS if table[("only_me", r)]] == ["self", "app_self"]


def test_the_queries_ask_the_one_fragment():
    """Each query that shows or reveals a profile field splices ``audience_admits`` rather than restating it, with
    the default its function passes (the agreement above then holds for them)."""
    relations = cypher.audience_admits(
        "o", "connections", default="$relationsAudienceDefault", viewer="viewer", viewer_is_person="$viewerIsPerson"
    )
    assert relations in social_queries.RELATIONS_SHOWN
    for backwards in (False, True):
        assert relations in social_queries.LIST_QUERIES["connections"].of(backwards)
        members = community_queries.COMMUNITY_MEMBERS.of(backwards)
        assert cypher.audience_admits("p", "ward", default="$wardAudienceDefault", viewer="viewer") in members
    suggestions = discovery_queries.PEOPLE_YOU_MAY_KNOW
    assert cypher.audience_admits("candidate", "ward", default="$wardAudienceDefault", viewer=None) in suggestions
    assert privacy.audience_property("connections") == social_queries.RELATIONS_AUDIENCE
    for field in privacy.DEFAULT_AUDIENCES:
        assert cypher.audience_property(field) == privacy.audience_property(field)
    # The ward-members and people-you-may-know queries ask without ``viewer_is_person``: no partner app reaches them.
    assert fields.decision("Community", "members") == fields.DENIED
    assert fields.decision("Query", "peopleYouMayKnow") == fields.DENIED


@pytest.mark.parametrize(
    ("person", "field", "default", "viewer"),
    [
        ("p) DETACH DELETE (x", "ward", "$d", "v"),
        ("p", "ward = 1 OR true", "$d", "v"),
        ("p", "$ward", "$d", "v"),
        ("p", "ward", "'public'", "v"),
        ("p", "ward", "$d", "v.id"),
    ],
)
def test_audience_admits_takes_names_never_values(person, field, default, viewer):
    with pytest.raises(ValueError):
        cypher.audience_admits(person, field, default=default, viewer=viewer)
