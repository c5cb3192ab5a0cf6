"""Who sees an actor's lists of relations: ``social.visibility.may_see_relations`` and its Cypher mirror
``graph.social.RELATIONS_SHOWN`` agree on every combination of owner, audience and viewer; and the facts the people
lists read (``graph.social.list_actors``) are the facts the rule decides on, so the list shows exactly when the rule
says so. A person's lists follow the profile-audience rule on their ``connections`` field (``audience_admits``, held to
``identity.privacy.may_see`` by ``test_profile_audience_agrees.py``); here it is checked as the lists compose it. A
partner app acting for a person sees the lists as that person sees their own, and anyone else's as a stranger would
(never as their connection, nor as an organisation's owner or admin)."""

from __future__ import annotations

import itertools
import uuid

from auth.viewer import ANONYMOUS, Viewer
from core.pagination import Window
from graph import social as queries
from identity import privacy
from social.visibility import RELATIONS_FIELD, RelationsFacts, may_see_relations

AUDIENCES = (None, "public", "connections", "only_me")  # None: never chosen (people registered before the setting)
PERSON_VIEWERS = ("anonymous", "self", "connection", "stranger", "app_self", "app_connection", "app_stranger")
ORG_ROLES = (None, "member", "admin", "owner")
ORG_STATUSES = ("active", "closed", None)
DEFAULT = privacy.DEFAULT_AUDIENCES[RELATIONS_FIELD].value
WINDOW = Window(after=None, before=None, backwards=False, limit=5)

SEED = """
UNWIND $cases AS case
CREATE (o:Actor {id: case.owner})
SET o.status = case.status
FOREACH (_ IN CASE WHEN case.person THEN [1] ELSE [] END |
  SET o:Person, o.audience_connections = case.audience)
FOREACH (_ IN CASE WHEN case.person THEN [] ELSE [1] END | SET o:Organization)
WITH case, o
CALL (case, o) {
  WITH case, o WHERE case.viewer IS NOT NULL AND case.viewer <> case.owner
  CREATE (v:Actor:Person {id: case.viewer, status: 'active'})
  FOREACH (_ IN CASE WHEN case.relation IN ['connection', 'app_connection'] THEN [1] ELSE [] END |
           CREATE (o)-[:CONNECTED]->(v))
  FOREACH (_ IN CASE WHEN case.role IS NULL THEN [] ELSE [1] END | CREATE (v)-[:REPRESENTS {role: case.role}]->(o))
}
"""

ASK = f"""
UNWIND $cases AS case
MATCH (o:Actor {{id: case.owner}})
OPTIONAL MATCH (viewer:Person {{id: case.viewer}})
WITH case, o, viewer, viewer.id AS viewerId
RETURN case.owner AS owner, {queries.RELATIONS_SHOWN} AS shown
"""


def _cases() -> list[dict]:
    cases = []
    for audience, relation in itertools.product(AUDIENCES, PERSON_VIEWERS):
        owner = str(uuid.uuid4())
        viewer = None if relation == "anonymous" else owner if relation in ("self", "app_self") else str(uuid.uuid4())
        cases.append(
            {
                "owner": owner,
                "viewer": viewer,
                "person": True,
                "audience": audience,
                "relation": relation,
                "role": None,
                "status": "active",
            }
        )
    for role, status, who in itertools.product(ORG_ROLES, ORG_STATUSES, ("person", "anonymous", "app")):
        if who == "anonymous" and role is not None:
            continue
        cases.append(
            {
                "owner": str(uuid.uuid4()),
                "viewer": None if who == "anonymous" else str(uuid.uuid4()),
                "person": False,
                "audience": None,
                "relation": {"person": "stranger", "anonymous": "anonymous", "app": "app_stranger"}[who],
                "role": role,
                "status": status,
            }
        )
    return cases


def _is_app(case: dict) -> bool:
    return str(case["relation"]).startswith("app_")


def _viewer(case: dict) -> Viewer:
    if case["viewer"] is None:
        return ANONYMOUS
    if _is_app(case):
        return Viewer(kind="partner_app", actor_id=case["viewer"], scopes=frozenset({"connections.read"}), app_id="a")
    return Viewer(kind="person", actor_id=case["viewer"])


def _facts(case: dict) -> RelationsFacts:
    return RelationsFacts(
        owner_id=case["owner"],
        owner_is_person=case["person"],
        audience=case["audience"],
        viewer_connected_to_owner=case["relation"] in ("connection", "app_connection"),
        viewer_role=case["role"],
        owner_active=case["status"] in ("active", None),
    )


async def test_may_see_relations_agrees_with_its_cypher_mirror_and_the_lists_facts(graph):
    cases = _cases()

    async def seed(tx):
        await tx.run(SEED, cases=cases)

    await graph.write(seed)

    async def ask(tx):
        said = {}
        for is_person in (True, False):  # a person's own request, and a partner app's acting for them
            group = [c for c in cases if _is_app(c) is not is_person]
            result = await tx.run(ASK, cases=group, relationsAudienceDefault=DEFAULT, viewerIsPerson=is_person)
            said.update({r["owner"]: r["shown"] async for r in result})
        return said

    said = await graph.read(ask)
    for case in cases:
        expected = may_see_relations(_viewer(case), _facts(case))
        assert said[case["owner"]] is expected, case
        kind = "connections" if case["person"] else "followers"
        found = await graph.read(
            queries.list_actors, kind, case["owner"], case["viewer"], WINDOW, DEFAULT, not _is_app(case)
        )
        assert found is not None and found.shown is expected and not found.blocked, case
        read = RelationsFacts(
            owner_id=case["owner"],
            owner_is_person=found.owner_is_person,
            audience=found.audience,
            viewer_connected_to_owner=found.connected,
            viewer_role=found.viewer_role,
            owner_active=found.owner_active,
        )
        assert read == _facts(case), case

    # the table itself, in words: a person's lists by default for their connections; an organisation's followers
    # for its owners and admins while it is active
    person = {(c["audience"], c["relation"]): may_see_relations(_viewer(c), _facts(c)) for c in cases if c["person"]}
    assert [r for r in PERSON_VIEWERS if person[(None, r)]] == ["self", "connection", "app_self"]
    assert [r for r in PERSON_VIEWERS if person[("public", r)]] == list(PERSON_VIEWERS)
    assert [r for r in PERSON_VIEWERS if person[("only_me", r)]] == ["self", "app_self"]
    orgs = {
        (c["role"], c["status"], c["relation"])
        for c in cases
        if not c["person"] and may_see_relations(_viewer(c), _facts(c))
    }
    assert orgs == {(role, status, "stranger") for role in ("admin", "owner") for status in ("active", None)}
