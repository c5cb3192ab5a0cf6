"""Webhook subscriptions through GraphQL: created by the app's partner (the secret shown once, stored sealed, never
in clear), event types checked against the catalogue and the app's scopes, URL rules (https, no private or local
target; http://127.0.0.1 outside production only), who may manage and read them, update, rotation, delete, the
limit of subscriptions per app under 40 parallel creations, and app tokens refused."""

from __future__ import annotations

import asyncio

import pytest
from neo4j import AsyncManagedTransaction

from tests.identity.people import make_officer, register
from tests.partners.support import app_token, make_partner, seed_app
from tests.partners.webhook_support import CREATE, app_global_id, queue_delivery, subscribe
from tests.support import error_codes, gql, settings_changed
from webhooks import signing

SUBSCRIPTIONS = """
query Subs($id: ID!) {
  node(id: $id) {
    ... on App {
      webhookSubscriptions(first: 20) {
        totalCount
        nodes { id url eventTypes status disabledReason secretLast4 previousSecretLast4 app { id } }
      }
    }
  }
}
"""
DELIVERIES = """
query Deliveries($appId: ID!) { webhookDeliveries(appId: $appId) { totalCount nodes { webhookId } } }
"""
UPDATE = """
mutation Update($input: WebhookSubscriptionUpdateInput!) {
  webhookSubscriptionUpdate(input: $input) {
    subscription { url eventTypes status disabledReason } errors { code field message }
  }
}
"""
DELETE = """
mutation Delete($input: WebhookSubscriptionDeleteInput!) {
  webhookSubscriptionDelete(input: $input) { deletedSubscriptionId errors { code field message } }
}
"""
NODE = "query Node($id: ID!) { node(id: $id) { id ... on WebhookSubscription { url } } }"

RECEIVER = "https://hooks.partner.example/hanoismart"

STORED = """
MATCH (s:WebhookSubscription {id: $id})
RETURN [k IN keys(s) WHERE s[k] IS :: STRING | s[k]] AS values, s.secretSealed AS sealed
"""


async def _stored(app, subscription_id: str) -> tuple[list[str], str]:
    async def work(tx: AsyncManagedTransaction) -> tuple[list[str], str]:
        found = await (await tx.run(STORED, {"id": subscription_id})).single()
        assert found is not None
        return found["values"], found["sealed"]

    result: tuple[list[str], str] = await app.state.runtime.graph.read(work)
    return result


async def test_a_partner_subscribes_its_app_and_sees_the_secret_once(app, client):
    subscribed = await subscribe(app, client, RECEIVER, event_types=("order.placed", "grant.revoked"))
    assert subscribed.secret.startswith("whsec_")
    signing.Webhook(subscribed.secret)  # a secret the standard library takes
    values, sealed = await _stored(app, subscribed.subscription_uuid)
    assert not any(subscribed.secret in v or subscribed.secret[len("whsec_") :] in v for v in values)
    key = app.state.runtime.pairwise_key
    assert signing.open_secret(key, subscribed.subscription_uuid, sealed) == subscribed.secret
    assert signing.open_secret(key, "another-subscription", sealed) is None  # bound to its subscription

    listed = await gql(client, SUBSCRIPTIONS, {"id": subscribed.app_global_id}, headers=subscribed.partner.owner.auth)
    connection = listed["data"]["node"]["webhookSubscriptions"]
    assert connection["totalCount"] == 1
    (shown,) = connection["nodes"]
    assert shown == {
        "id": subscribed.subscription_id,
        "url": RECEIVER,
        "eventTypes": ["order.placed", "grant.revoked"],
        "status": "ACTIVE",
        "disabledReason": None,
        "secretLast4": subscribed.secret[-4:],
        "previousSecretLast4": None,
        "app": {"id": subscribed.app_global_id},
    }
    assert "secret" not in str(listed).replace("secretLast4", "").replace("previousSecretLast4", "")
    node = await gql(client, NODE, {"id": subscribed.subscription_id}, headers=subscribed.partner.owner.auth)
    assert node["data"]["node"] == {"id": subscribed.subscription_id, "url": RECEIVER}


async def test_event_types_come_from_the_catalogue_and_the_apps_scopes(app, client):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=("openid", "profile.basic", "marketplace.read"))
    body = await gql(
        client,
        CREATE,
        {"input": {"appId": app_global_id(seeded.app_id), "url": RECEIVER,
                   "eventTypes": ["order.placed", "nothing.happened", "connection.created"]}},
        headers=partner.owner.auth,
    )  # fmt: skip
    payload = body["data"]["webhookSubscriptionCreate"]
    assert payload["subscription"] is None and payload["secret"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("INVALID_INPUT", ["input", "eventTypes", "1"]),
        ("INVALID_INPUT", ["input", "eventTypes", "2"]),
    ]
    assert "connections.read" in payload["errors"][1]["message"]
    empty = await gql(
        client, CREATE, {"input": {"appId": app_global_id(seeded.app_id), "url": RECEIVER, "eventTypes": []}},
        headers=partner.owner.auth,
    )  # fmt: skip
    assert empty["data"]["webhookSubscriptionCreate"]["errors"][0]["field"] == ["input", "eventTypes"]


@pytest.mark.parametrize(
    ("url", "production"),
    [
        ("http://hooks.partner.example/x", False),  # http: only to 127.0.0.1 outside production
        ("ftp://hooks.partner.example/x", False),
        ("https://user:pw@hooks.partner.example/x", False),
        ("https://10.1.2.3/x", False),  # private
        ("https://192.168.0.10/x", False),
        ("https://169.254.169.254/latest/meta-data", False),  # link-local (cloud metadata)
        ("https://[fe80::1]/x", False),
        ("https://224.0.0.1/x", False),  # multicast
        ("https://0.0.0.0/x", False),
        ("https://localhost/x", False),
        ("https://[::ffff:10.0.0.1]/x", False),
        ("http://127.0.0.1:8080/x", True),  # loopback and http: refused in production
        ("https://127.0.0.1/x", True),
        ("https://[::1]/x", True),
    ],
)
async def test_urls_that_would_reach_a_private_or_local_target_are_refused(app, client, url, production):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=("openid", "marketplace.read"))
    variables = {"input": {"appId": app_global_id(seeded.app_id), "url": url, "eventTypes": ["order.placed"]}}
    with settings_changed(app, environment="production" if production else "test"):
        body = await gql(client, CREATE, variables, headers=partner.owner.auth)
    payload = body["data"]["webhookSubscriptionCreate"]
    assert [e["field"] for e in payload["errors"]] == [["input", "url"]], payload
    assert payload["subscription"] is None


async def test_the_tests_receiver_on_127_0_0_1_is_allowed_outside_production(app, client):
    subscribed = await subscribe(app, client, "http://127.0.0.1:8765/hook")
    assert subscribed.secret


async def test_only_the_partners_owners_and_admins_manage_and_officers_read(app, client):
    subscribed = await subscribe(app, client, RECEIVER)
    await queue_delivery(app, subscribed.subscription_uuid)
    stranger = await register(client)
    other_partner = await make_partner(app, client)
    variables = {"input": {"appId": subscribed.app_global_id, "url": RECEIVER, "eventTypes": ["order.placed"]}}

    refused = await gql(client, CREATE, variables, headers=other_partner.owner.auth)
    assert refused["data"]["webhookSubscriptionCreate"] is None
    assert error_codes(refused) == ["FORBIDDEN"]
    assert error_codes(await gql(client, CREATE, variables, headers=stranger.auth)) == ["FORBIDDEN"]  # level 0
    assert error_codes(await gql(client, CREATE, variables)) == ["UNAUTHENTICATED"]

    for outsider in (stranger, other_partner.owner):
        listed = await gql(client, SUBSCRIPTIONS, {"id": subscribed.app_global_id}, headers=outsider.auth)
        assert listed["data"]["node"]["webhookSubscriptions"] is None
        log = await gql(client, DELIVERIES, {"appId": subscribed.app_global_id}, headers=outsider.auth)
        assert error_codes(log) == ["FORBIDDEN"]
        hidden = await gql(client, NODE, {"id": subscribed.subscription_id}, headers=outsider.auth)
        assert hidden["data"]["node"] is None

    officer = await make_officer(app, client)
    listed = await gql(client, SUBSCRIPTIONS, {"id": subscribed.app_global_id}, headers=officer.auth)
    assert listed["data"]["node"]["webhookSubscriptions"]["totalCount"] == 1
    log = await gql(client, DELIVERIES, {"appId": subscribed.app_global_id}, headers=officer.auth)
    assert log["data"]["webhookDeliveries"]["totalCount"] == 1
    officer_change = await gql(
        client, UPDATE, {"input": {"subscriptionId": subscribed.subscription_id, "url": RECEIVER + "/2"}},
        headers=officer.auth,
    )  # fmt: skip
    assert error_codes(officer_change) == ["FORBIDDEN"]  # officers read, partners manage

    missing = await gql(
        client, DELIVERIES, {"appId": app_global_id("00000000-0000-0000-0000-000000000000")}, headers=officer.auth
    )
    assert error_codes(missing) == ["NOT_FOUND"]


async def test_an_apps_own_token_reaches_none_of_it(app, client):
    subscribed = await subscribe(app, client, RECEIVER)
    token = app_token(app, subscribed.app, None, scopes=("places.read",))
    log = await gql(client, DELIVERIES, {"appId": subscribed.app_global_id}, headers=token)
    assert "FORBIDDEN" in error_codes(log) and log.get("data") is None
    variables = {"input": {"appId": subscribed.app_global_id, "url": RECEIVER, "eventTypes": ["order.placed"]}}
    created = await gql(client, CREATE, variables, headers=token)
    assert "FORBIDDEN" in error_codes(created)


async def test_update_changes_the_url_and_event_types_and_delete_takes_the_log_with_it(app, client):
    subscribed = await subscribe(app, client, RECEIVER)
    owner = subscribed.partner.owner.auth
    changed = await gql(
        client,
        UPDATE,
        {"input": {"subscriptionId": subscribed.subscription_id, "url": RECEIVER + "/v2",
                   "eventTypes": ["order.status_changed", "order.placed"]}},
        headers=owner,
    )  # fmt: skip
    assert changed["data"]["webhookSubscriptionUpdate"] == {
        "subscription": {"url": RECEIVER + "/v2", "eventTypes": ["order.status_changed", "order.placed"],
                         "status": "ACTIVE", "disabledReason": None},
        "errors": [],
    }  # fmt: skip
    bad = await gql(
        client,
        UPDATE,
        {"input": {"subscriptionId": subscribed.subscription_id, "url": "https://10.0.0.1/", "eventTypes": ["x"]}},
        headers=owner,
    )
    assert [e["field"] for e in bad["data"]["webhookSubscriptionUpdate"]["errors"]] == [["input", "url"]]
    disabled = await gql(
        client, UPDATE, {"input": {"subscriptionId": subscribed.subscription_id, "status": "DISABLED"}}, headers=owner
    )
    assert disabled["data"]["webhookSubscriptionUpdate"]["subscription"]["status"] == "DISABLED"

    await queue_delivery(app, subscribed.subscription_uuid)
    deleted = await gql(client, DELETE, {"input": {"subscriptionId": subscribed.subscription_id}}, headers=owner)
    assert deleted["data"]["webhookSubscriptionDelete"] == {
        "deletedSubscriptionId": subscribed.subscription_id,
        "errors": [],
    }
    log = await gql(client, DELIVERIES, {"appId": subscribed.app_global_id}, headers=owner)
    assert log["data"]["webhookDeliveries"]["totalCount"] == 0
    again = await gql(client, DELETE, {"input": {"subscriptionId": subscribed.subscription_id}}, headers=owner)
    assert again["data"]["webhookSubscriptionDelete"]["errors"][0]["code"] == "NOT_FOUND"


async def test_40_parallel_creations_keep_the_limit_of_subscriptions_per_app(app, client):
    from webhooks.subscriptions import MAX_SUBSCRIPTIONS

    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=("openid", "marketplace.read"))
    variables = {"input": {"appId": app_global_id(seeded.app_id), "url": RECEIVER, "eventTypes": ["order.placed"]}}
    answers = await asyncio.gather(*(gql(client, CREATE, variables, headers=partner.owner.auth) for _ in range(40)))
    payloads = [a["data"]["webhookSubscriptionCreate"] for a in answers]
    created = [p for p in payloads if p["errors"] == []]
    assert len(created) == MAX_SUBSCRIPTIONS
    assert {p["errors"][0]["code"] for p in payloads if p["errors"]} == {"CONFLICT"}
    listed = await gql(client, SUBSCRIPTIONS, {"id": app_global_id(seeded.app_id)}, headers=partner.owner.auth)
    assert listed["data"]["node"]["webhookSubscriptions"]["totalCount"] == MAX_SUBSCRIPTIONS
    assert len({p["secret"] for p in created}) == MAX_SUBSCRIPTIONS
