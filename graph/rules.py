"""The Cypher mirrors of the rules in ``auth.rules`` (one fragment builder per rule, named as the rule) and of
``identity.privacy``'s profile-audience rule (``audience_admits``).

Queries splice these fragments instead of restating a rule; ``tests/rules`` seeds every combination of facts and
checks each fragment answers as its Python rule does. Builders take Cypher *variable names* (checked against a
strict pattern, never user input) and parameter names; values always travel as parameters.
"""

from __future__ import annotations

import re
from typing import Final

_NAME = re.compile(r"^\$?[A-Za-z_][A-Za-z0-9_]*$")
_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")

ACTING_ROLES: Final = ["owner", "admin"]
COMMUNITY_RUNNING_ROLES: Final = ["moderator", "admin"]


def _name(text: str) -> str:
    if not _NAME.fullmatch(text):
        raise ValueError(f"{text!r} is not a Cypher variable or parameter name")
    return text


def acts_for(actor: str, person: str = "$viewerId") -> str:
    """Cypher predicate: the person whose id is ``person`` (a parameter or an id expression) acts for the actor
    bound to ``actor``: it is them, or an active organisation they own or administer. Mirror of
    ``auth.rules.acts_for``."""
    actor, person = _name(actor), _name(person)
    return (
        f"({actor}.id = {person} OR ({actor}:Organization AND coalesce({actor}.status, 'active') = 'active'"
        f" AND EXISTS {{ MATCH (:Person {{id: {person}}})-[rule_rep:REPRESENTS]->({actor})"
        f" WHERE rule_rep.role IN {ACTING_ROLES!r} }}))"
    )


def actors_acted_for(person: str) -> str:
    """Cypher list expression: the ids of every actor the person bound to ``person`` acts for (themself first, then
    the active organisations they own or administer); ``[]`` when ``person`` is null. The list form of
    ``acts_for``, for a query that tests many actors against one viewer."""
    person = _name(person)
    return (
        f"CASE WHEN {person} IS NULL THEN [] ELSE [{person}.id] + "
        f"[({person})-[rule_rep:REPRESENTS]->(rule_org:Organization) WHERE rule_rep.role IN {ACTING_ROLES!r}"
        f" AND coalesce(rule_org.status, 'active') = 'active' | rule_org.id] END"
    )


def runs_community(person: str, community: str) -> str:
    """Cypher predicate: the person bound to ``person`` is a moderator or admin of the community bound to
    ``community``. Mirror of ``auth.rules.runs_community``."""
    person, community = _name(person), _name(community)
    return (
        f"EXISTS {{ MATCH ({person})-[rule_member:MEMBER_OF]->({community})"
        f" WHERE rule_member.role IN {COMMUNITY_RUNNING_ROLES!r} }}"
    )


def blocked_either_way(a: str, b: str) -> str:
    """Cypher predicate: one of the actors bound to ``a`` and ``b`` blocked the other. Mirror of
    ``auth.rules.blocked_either_way``; a query keeps a pair apart with ``NOT <this>``."""
    return f"EXISTS {{ ({_name(a)})-[:BLOCKED]-({_name(b)}) }}"


def actors_blocked_either_way(person: str) -> str:
    """Cypher list expression: every actor blocked either way with the actor bound to ``person`` (who must be
    bound, not null), found in one traversal from them. The list form of ``blocked_either_way``, for a query that
    tests many actors against one person (a search pruning each step, candidates by the hundred): ``NOT x IN
    <this>`` is ``NOT blocked_either_way(person, x)`` without a subquery per ``x``."""
    return f"COLLECT {{ MATCH ({_name(person)})-[:BLOCKED]-(rule_blocked:Actor) RETURN rule_blocked }}"


def audience_property(field: str) -> str:
    """The property holding the audience a person chose for their personal field ``field``, e.g.
    ``audience_ward``. Mirror of ``identity.privacy.audience_property``."""
    if not _FIELD.fullmatch(field):
        raise ValueError(f"{field!r} is not a personal field")
    return f"audience_{field}"


def audience_admits(
    person: str, field: str, *, default: str, viewer: str | None, viewer_is_person: str | None = None
) -> str:
    """Cypher predicate: the viewer bound to ``viewer`` (a ``:Person``, null when signed out) may see the personal
    field ``field`` of the person bound to ``person``. Mirror of ``identity.privacy.may_see`` on the facts
    ``identity.privacy`` gives it: the audience is the person's stored ``audience_<field>`` (``audience_of``; the
    field's default, passed as the parameter ``default``, when never chosen), the relation is themself, one of their
    connections or anyone else (``relation_of``: a signed-out viewer is anyone else). Themself always, everyone when
    PUBLIC, their connections when CONNECTIONS, nobody else when ONLY_ME.

    ``viewer_is_person`` names a boolean parameter saying whether the viewer is the person themself signed in (not a
    partner app acting for them, ``relation_of``: an app is never anyone's connection, so for it the person's
    connections count as anyone else). A query that a partner app can reach passes it; one that apps are refused
    (``partners.fields``) may leave it out.

    ``viewer=None`` asks on behalf of a viewer the query already knows is neither the person nor one of their
    connections (anyone else), and reads no relationship. Blocks are no part of this rule: a query keeps a blocked
    pair apart with ``blocked_either_way`` besides."""
    person, default = _name(person), _name(default)
    audience = f"coalesce({person}.{audience_property(field)}, {default})"
    if viewer is None:
        return f"({audience} = 'public')"
    viewer = _name(viewer)
    as_connection = f" AND {_name(viewer_is_person)}" if viewer_is_person is not None else ""
    return (
        f"(({viewer} IS NOT NULL AND {viewer} = {person}) OR {audience} = 'public'"
        f" OR ({audience} = 'connections' AND {viewer} IS NOT NULL{as_connection}"
        f" AND EXISTS {{ ({person})-[:CONNECTED]-({viewer}) }}))"
    )


def app_grant_holds(grant: str, app: str, person: str, *, issued_at: str | None = None) -> str:
    """Cypher predicate: the grant bound to ``grant`` still stands behind the app bound to ``app`` for the person
    bound to ``person``: the grant is not revoked and not expired, the app is active (not suspended), the person's
    account is active; and, with ``issued_at`` (a parameter or variable holding an app access token's ``iat`` in
    epoch seconds), the token was issued no earlier than the grant's ``tokensNotBefore`` (set by revoking an access
    token and by refresh-token reuse detection).

    Mirror of the rule ``partners.app_access.viewer_from_app_token`` applies to an app access token at ``/graphql``
    (and through it at ``/oauth/userinfo`` and introspection); the OAuth statements that redeem an authorization
    code or a refresh token, or introspect a refresh token, splice it without ``issued_at`` (a code or a refresh
    token is ended by its own ``usedAt``: revoking an access token leaves the grant's refresh tokens alive, RFC
    7009). ``tests/partners/test_app_token_liveness.py`` holds the four refusals together over HTTP. Which persons a
    sandbox app serves is another rule (``identity.views.hidden``), not this one."""
    grant, app, person = _name(grant), _name(app), _name(person)
    not_before = f" AND coalesce({grant}.tokensNotBefore, 0) <= {_name(issued_at)}" if issued_at is not None else ""
    return (
        f"({grant}.revokedAt IS NULL AND {grant}.expiresAt > datetime() AND {app}.status = 'active'"
        f" AND {person}.status = 'active'{not_before})"
    )
