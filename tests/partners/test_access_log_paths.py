"""Every personal field, by every path an app can take to a person, is on that person's access log exactly once per
request; a null field (hidden by privacy, or empty) is not; a field outside the grant is FORBIDDEN and not logged;
a yes/no question is logged as its ``Query.*`` predicate, never as the birth date or the ward.

The personal fields are computed, not listed: every coordinate ``partners.fields`` decides with a scope of
``partners.scopes.PERSONAL_SCOPES`` (so a new personal field joins these tests by being decided). The paths are those
``partners.fields`` lets an app take to a person: ``me``, ``node(id:)``, ``nodes(ids:)``, a person in a list
(``connections``/``following`` under connections.read), a listing's seller (``listings``, PUBLIC) and an order's
seller (``myOrders``, marketplace.read).
The person's own records under a personal scope (contacts, notifications, wallet, cart, orders) are read from their
``Query`` roots. Writes (``marketplace.write`` mutations) are not reads and are not enumerated here.

``clean_graph`` wipes the graph before every test, so each test sets up its people once and checks one group of
paths with several requests.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema, get_named_type

from partners import fields
from partners.scopes import PERSONAL_SCOPES
from schema.assemble import build_schema
from tests.identity.people import make_verified, register, uuid_of
from tests.marketplace.listing_helpers import create_listing
from tests.marketplace.order_helpers import placed
from tests.partners.access_log_support import access_log_of
from tests.partners.support import app_person_id, app_token, make_partner, seed_app, seed_grant
from tests.social.helpers import AUDIENCE, FOLLOW, connect
from tests.support import gql

_BUILT: list[GraphQLSchema] = []


def _schema(test_settings: Any) -> GraphQLSchema:
    """The built schema (once per module)."""
    if not _BUILT:
        _BUILT.append(build_schema(test_settings)._schema)
    return _BUILT[0]


def personal(schema: GraphQLSchema, type_name: str) -> dict[str, str]:
    """The personal fields of ``type_name`` (field name -> scope), as ``partners.fields`` decides them."""
    named = schema.type_map[type_name]
    assert isinstance(named, GraphQLObjectType)
    return {
        name: decided
        for name in named.fields
        if (decided := fields.decision(type_name, name)) is not None and decided in PERSONAL_SCOPES
    }


def selection(schema: GraphQLSchema, type_name: str, names: list[str]) -> str:
    """A selection of ``names`` on ``type_name``: a scalar as itself, an object (or list of them) as ``__typename``
    (what it holds is another type's fields: only this field is asked). Connection fields get ``first: 5``."""
    named = schema.type_map[type_name]
    assert isinstance(named, GraphQLObjectType)
    parts = []
    for name in names:
        field = named.fields[name]
        inner = get_named_type(field.type)
        arguments = "(first: 5)" if "first" in field.args else ""
        if hasattr(inner, "fields"):  # an object, interface (Actor) or union-like type: ask only whether it is there
            parts.append(f"{name}{arguments} {{ __typename }}")
        else:
            parts.append(f"{name}{arguments}")
    return " ".join(parts)


def non_null(value: Any, names: list[str], type_name: str) -> set[str]:
    """The coordinates among ``names`` whose value in ``value`` (one object of the answer) is not null."""
    return {f"{type_name}.{n}" for n in names if value is not None and value.get(n) is not None}


async def _entries(client, person) -> list[dict[str, Any]]:
    """The person's log entries made by apps (an officer's duty reads, e.g. verifying them, are not these tests')."""
    return [e for e in await access_log_of(client, person) if e["basis"] == "GRANT"]


async def _granted(app, client, scopes: tuple[str, ...], *, verified: bool = False):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=scopes)
    me = await (
        make_verified(app, client, fullName="Lý Thị Thu") if verified else register(client, fullName="Lý Thị Thu")
    )
    grant = await seed_grant(app, seeded, uuid_of(me.id))
    return seeded, me, grant


def _person_scopes(schema: GraphQLSchema) -> tuple[str, ...]:
    return ("openid", "profile.basic", *sorted(set(personal(schema, "Person").values())))


async def test_every_personal_field_of_the_apps_person_through_me_node_and_nodes_is_logged_once(
    app, client, test_settings
):
    schema = _schema(test_settings)
    person_fields = personal(schema, "Person")
    assert {"phone", "email", "dateOfBirth", "ward", "verificationLevel"} <= set(person_fields)
    names = sorted(person_fields)
    picked = selection(schema, "Person", names)
    seeded, me, grant = await _granted(app, client, _person_scopes(schema))
    headers = app_token(app, seeded, grant)
    mine = app_person_id(app, seeded, me.id)  # the id under which this app sees the person (partners.app_ids)
    paths = {
        "me": f"query {{ me {{ {picked} }} }}",
        "node": f'query {{ node(id: "{mine}") {{ ... on Person {{ {picked} }} }} }}',
        "nodes": f'query {{ nodes(ids: ["{mine}"]) {{ ... on Person {{ {picked} }} }} }}',
    }

    # Each path alone: one entry, every non-null personal field once. The app is its person (identity.privacy):
    # everything is visible, nothing is empty but what the person never gave.
    expected: set[str] | None = None
    for path, document in paths.items():
        body = await gql(client, document, headers=headers)
        assert "errors" not in body, body
        value = body["data"][path]
        read = non_null(value[0] if isinstance(value, list) else value, names, "Person")
        assert expected is None or read == expected, path
        expected = read
        latest = (await _entries(client, me))[0]
        assert latest["fields"] == sorted(read), path
    assert expected is not None and {"Person.phone", "Person.email", "Person.dateOfBirth", "Person.ward"} <= expected
    assert expected == {f"Person.{n}" for n in names}, "for themself every personal field holds a value"
    assert len(await _entries(client, me)) == 3

    # All three paths and aliases in one request: one entry, each field once.
    together = (
        f'query {{ me {{ {picked} again: phone }} node(id: "{mine}") {{ ... on Person {{ {picked} }} }}'
        f' nodes(ids: ["{mine}", "{mine}"]) {{ ... on Person {{ {picked} phone2: phone }} }} }}'
    )
    assert "errors" not in await gql(client, together, headers=headers)
    entries = await _entries(client, me)
    assert len(entries) == 4 and entries[0]["fields"] == sorted(expected)

    # A token without birthdate.read: its fields are FORBIDDEN (null, the rest arrives) and not logged.
    narrow_scopes = tuple(s for s in grant.scopes if s != "birthdate.read")
    narrow = app_token(app, seeded, grant, scopes=narrow_scopes)
    body = await gql(client, paths["me"], headers=narrow)
    outside = {n for n, scope in person_fields.items() if scope == "birthdate.read"}
    assert outside and {e["path"][-1] for e in body["errors"]} == outside, body
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    assert body["data"]["me"]["phone"] is not None
    latest = (await _entries(client, me))[0]
    assert latest["fields"] == sorted(expected - {f"Person.{n}" for n in outside})
    assert "birthdate.read" not in latest["scopes"]


async def test_a_person_in_a_list_or_as_a_seller_is_seen_as_a_stranger_and_logged_once_and_hidden_fields_not(
    app, client, test_settings
):
    schema = _schema(test_settings)
    names = sorted(personal(schema, "Person"))
    picked = selection(schema, "Person", names)
    seeded, me, grant = await _granted(app, client, _person_scopes(schema))
    headers = app_token(app, seeded, grant)
    friend = await make_verified(app, client, fullName="Phan Văn Đức")
    public = await gql(client, AUDIENCE, {"field": "WARD", "audience": "PUBLIC"}, headers=friend.auth)
    assert public["data"]["profileAudienceSet"]["errors"] == [], public
    await connect(client, me, friend)
    followed = await gql(client, FOLLOW, {"id": friend.id, "on": True}, headers=me.auth)
    assert followed["data"]["followSet"]["errors"] == [], followed
    await create_listing(client, friend)

    # The friend's phone is for their connections only: the app is not one (an app never inherits its person's
    # relations), so the phone is null and never logged; the public ward is read, once, whatever the path.
    on_person = f"... on Person {{ {picked} }}"
    lists = {
        "connections": f"query {{ me {{ connections(first: 5) {{ edges {{ node {{ {on_person} }} }} }} }} }}",
        "following": f"query {{ me {{ following(first: 5) {{ edges {{ node {{ {on_person} }} }} }} }} }}",
        "seller": f"query {{ listings(first: 5) {{ edges {{ node {{ seller {{ {on_person} }} }} }} }} }}",
        "node": f'query {{ node(id: "{app_person_id(app, seeded, friend.id)}") {{ {on_person} }} }}',
    }
    for path, document in lists.items():
        body = await gql(client, document, headers=headers)
        assert "errors" not in body, (path, body)
        data = body["data"]
        found = (
            data["me"][path]["edges"][0]["node"]
            if path in ("connections", "following")
            else data["listings"]["edges"][0]["node"]["seller"]
            if path == "seller"
            else data["node"]
        )
        assert found["phone"] is None and found["ward"] is not None, (path, found)
        latest = (await _entries(client, friend))[0]
        assert latest["fields"] == sorted(non_null(found, names, "Person")), path
        assert "Person.phone" not in latest["fields"] and latest["grant"] is None
        assert uuid_of(latest["app"]["id"]) == seeded.app_id
    assert len(await _entries(client, friend)) == len(lists)

    # Every path at once: one entry on the friend's log, each field once; the person's own connections list is
    # theirs (Person.connections, Person.following on their log, once).
    documents = [d.removeprefix("query { ")[:-2] for d in lists.values()]
    merged = "query { " + " ".join(f"p{i}: {d}" for i, d in enumerate(documents)) + " }"
    body = await gql(client, merged, headers=headers)
    assert "errors" not in body, body
    entries = await _entries(client, friend)
    assert len(entries) == len(lists) + 1 and entries[0]["fields"] == entries[1]["fields"]
    mine = (await _entries(client, me))[0]
    assert mine["fields"] == ["Person.connections", "Person.following"]


async def test_the_persons_own_records_and_the_predicates_are_logged_once_as_their_coordinates(
    app, client, test_settings
):
    schema = _schema(test_settings)
    roots = personal(schema, "Query")
    predicates = {n for n, scope in roots.items() if scope.startswith("predicate.")}
    assert predicates == {"isAdult", "livesInWard", "isVerifiedResident"}
    records = sorted(set(roots) - predicates)
    assert {"notifications", "myWallet", "cart", "myOrders"} <= set(records)
    scopes = tuple(sorted({*_person_scopes(schema), *roots.values()}))
    seeded, me, grant = await _granted(app, client, scopes, verified=True)  # the marketplace needs level 2
    headers = app_token(app, seeded, grant)

    # The person's own records: each root once, with the personal fields of the object it returns (the wallet's
    # balance, the cart's total; a connection answers as itself), and me.contacts with every Contact field.
    def root(name: str) -> str:
        field = schema.query_type.fields[name]
        inner = get_named_type(field.type)
        args = "(first: 5)" if "first" in field.args else ""
        if not isinstance(inner, GraphQLObjectType):
            return f"{name}{args}"
        own = sorted(personal(schema, inner.name))
        return f"{name}{args} {{ {selection(schema, inner.name, own) if own else '__typename'} }}"

    contact_fields = sorted(personal(schema, "Contact"))
    document = (
        "query { "
        + " ".join(root(n) for n in records)
        + " again: myWallet { balanceDong }"
        + f" me {{ contacts {{ {' '.join(contact_fields)} }} }} }}"
    )
    body = await gql(client, document, headers=headers)
    assert "errors" not in body, body
    data = body["data"]
    expected = {f"Query.{n}" for n in records if data[n] is not None}
    for name in records:
        inner = get_named_type(schema.query_type.fields[name].type)
        if isinstance(inner, GraphQLObjectType) and data[name] is not None:
            expected |= non_null(data[name], sorted(personal(schema, inner.name)), inner.name)
    assert data["me"]["contacts"], data
    expected |= {"Person.contacts"} | {
        f"Contact.{n}" for n in contact_fields if any(c[n] is not None for c in data["me"]["contacts"])
    }
    assert {"Query.myWallet", "Wallet.balanceDong", "Contact.value", "Query.notifications"} <= expected
    (entry,) = await _entries(client, me)
    assert entry["fields"] == sorted(expected)

    # The predicates (isAdult twice under aliases; livesInWard may be asked once per request): each logged once as
    # its Query coordinate (livesInWard with the ward asked about), never as what it hides.
    asked = await gql(
        client, 'query { isAdult again: isAdult livesInWard(code: "00070") isVerifiedResident }', headers=headers
    )
    assert asked["data"]["isAdult"] is True and asked["data"]["livesInWard"] is True, asked
    latest = (await _entries(client, me))[0]
    coordinates = {"livesInWard": 'Query.livesInWard(code: "00070")'}
    assert latest["fields"] == sorted(
        coordinates.get(n, f"Query.{n}") for n in predicates if asked["data"][n] is not None
    )
    assert not {"Person.dateOfBirth", "Person.ward"} & set(latest["fields"])
    assert set(latest["scopes"]) == {f"predicate.{n}" for n in predicates if asked["data"][n] is not None}

    # A predicate outside the grant: FORBIDDEN, not logged.
    narrow = app_token(app, seeded, grant, scopes=("openid", "predicate.isAdult"))
    refused = await gql(client, "query { isAdult isVerifiedResident }", headers=narrow)
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert refused["data"]["isVerifiedResident"] is None
    assert (await _entries(client, me))[0]["fields"] == ["Query.isAdult"]
    assert len(await _entries(client, me)) == 3

    # An order's seller, reached through myOrders and through the listing, under aliases: on the seller's log once,
    # as a stranger sees them.
    seller = await make_verified(app, client, officer=me.extra["officer"], fullName="Tạ Thị Bán")
    listing = await create_listing(client, seller)
    await placed(client, me, listing["id"])
    names = sorted(personal(schema, "Person"))
    on_person = f"... on Person {{ {selection(schema, 'Person', names)} }}"
    wide = app_token(app, seeded, grant, scopes=grant.scopes)
    document = (
        f"query {{ myOrders(first: 5) {{ edges {{ node {{ seller {{ {on_person} }} again: seller {{ {on_person} }}"
        f" }} }} }} listings(first: 5) {{ edges {{ node {{ seller {{ {on_person} }} }} }} }} }}"
    )
    body = await gql(client, document, headers=wide)
    assert "errors" not in body, body
    found = body["data"]["myOrders"]["edges"][0]["node"]["seller"]
    (entry,) = await _entries(client, seller)
    assert entry["fields"] == sorted(non_null(found, names, "Person")) and entry["grant"] is None
    assert found["phone"] is None and "Person.phone" not in entry["fields"]
    assert (await _entries(client, me))[0]["fields"].count("Order.seller") == 1
