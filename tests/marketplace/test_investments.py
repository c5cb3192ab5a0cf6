"""Investment interest through the GraphQL API: the flow between investor and owner, and every refusal."""

from __future__ import annotations

import asyncio

from tests.both_ways import refuses_cursor
from tests.identity.people import make_officer, make_verified, register
from tests.identity.test_organizations import registered_org
from tests.marketplace import paging
from tests.marketplace.listing_helpers import create_listing
from tests.marketplace.paging import PAGE_INFO
from tests.support import error_codes, gql

INTEREST_FIELDS = "id amountDong message status answer createdAt answeredAt investor { id } listing { id title }"

CREATE = f"""
mutation Create($input: InvestmentInterestCreateInput!) {{
  investmentInterestCreate(input: $input) {{
    interest: investmentInterest {{ {INTEREST_FIELDS} }} errors {{ code field message }}
  }}
}}
"""

ANSWER = f"""
mutation Answer($input: InvestmentInterestAnswerInput!) {{
  investmentInterestAnswer(input: $input) {{
    interest: investmentInterest {{ {INTEREST_FIELDS} }} errors {{ code field message }}
  }}
}}
"""

WITHDRAW = f"""
mutation Withdraw($input: InvestmentInterestWithdrawInput!) {{
  investmentInterestWithdraw(input: $input) {{
    interest: investmentInterest {{ {INTEREST_FIELDS} }} errors {{ code field message }}
  }}
}}
"""

LISTING_INTERESTS = f"""
query Interests($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {{
  node(id: $id) {{
    ... on Listing {{
      id
      interests(first: $first, after: $after, last: $last, before: $before) {{
        totalCount {PAGE_INFO} edges {{ cursor node {{ id status amountDong investor {{ id }} }} }}
      }}
    }}
  }}
}}
"""

NODE = f"query Node($id: ID!) {{ node(id: $id) {{ id ... on InvestmentInterest {{ {INTEREST_FIELDS} }} }} }}"

MINE = f"""
query Mine($org: ID, $first: Int, $after: String, $last: Int, $before: String) {{
  myInvestmentInterests(asOrganization: $org, first: $first, after: $after, last: $last, before: $before) {{
    totalCount {PAGE_INFO} edges {{ cursor node {{ id status answer listing {{ id }} }} }}
  }}
}}
"""

NOTIFICATIONS = "{ notifications { edges { node { kind subjectId actor { id } } } } }"

STATUS_SET = """
mutation Status($input: ListingStatusSetInput!) { listingStatusSet(input: $input) { errors { code } } }
"""


async def _people(app, client, n: int):
    officer = await make_officer(app, client)
    return [await make_verified(app, client, officer, fullName=f"Nhà Đầu Tư {i}") for i in range(n)]


async def _opportunity(client, owner, **overrides) -> dict:
    return await create_listing(client, owner, kind="INVESTMENT", title="Góp vốn mở chuỗi bún chả", **overrides)


async def _interest(
    client,
    investor,
    listing_id: str,
    amount: int = 500_000_000,
    message: str = "Tôi muốn góp vốn.",
    org: str | None = None,
) -> dict:
    body = await gql(
        client,
        CREATE,
        {"input": {"listingId": listing_id, "amountDong": amount, "message": message, "asOrganization": org}},
        headers=investor.auth,
    )
    assert "errors" not in body, body["errors"]
    return body["data"]["investmentInterestCreate"]


def _codes(result: dict) -> list[tuple[str, str | None]]:
    """(code, the field's path below ``input`` as a dotted name, or None) of each error of a payload."""
    return [(e["code"], ".".join(e["field"][1:]) if e["field"] else None) for e in result["errors"]]


async def _answer(client, who, interest_id: str, accept: bool, message: str | None = None) -> dict:
    given = {"investmentInterestId": interest_id, "accept": accept, "message": message}
    return await gql(client, ANSWER, {"input": given}, headers=who.auth)


async def _withdraw(client, who, interest_id: str) -> dict:
    return await gql(client, WITHDRAW, {"input": {"investmentInterestId": interest_id}}, headers=who.auth)


async def test_investor_states_interest_and_the_owner_answers(app, client):
    owner, investor, stranger = await _people(app, client, 3)
    listing = await _opportunity(client, owner)
    created = await _interest(client, investor, listing["id"])
    assert created["errors"] == []
    interest = created["interest"]
    assert interest["status"] == "PENDING" and interest["amountDong"] == 500_000_000
    assert interest["investor"]["id"] == investor.id and interest["listing"]["id"] == listing["id"]
    assert interest["answer"] is None and interest["answeredAt"] is None

    # The owner sees it on the listing and is notified; others see nothing.
    seen = (await gql(client, LISTING_INTERESTS, {"id": listing["id"]}, headers=owner.auth))["data"]["node"]
    assert seen["interests"]["totalCount"] == 1
    assert seen["interests"]["edges"][0]["node"]["id"] == interest["id"]
    notes = (await gql(client, NOTIFICATIONS, headers=owner.auth))["data"]["notifications"]["edges"]
    assert [(n["node"]["kind"], n["node"]["subjectId"]) for n in notes] == [("INVESTMENT_INTEREST", interest["id"])]
    for other in (investor, stranger):
        hidden = (await gql(client, LISTING_INTERESTS, {"id": listing["id"]}, headers=other.auth))["data"]["node"]
        assert hidden["interests"] is None
    assert (await gql(client, NODE, {"id": interest["id"]}, headers=stranger.auth))["data"]["node"] is None
    assert (await gql(client, NODE, {"id": interest["id"]}))["data"]["node"] is None
    by_node = (await gql(client, NODE, {"id": interest["id"]}, headers=owner.auth))["data"]["node"]
    assert by_node["status"] == "PENDING"

    # Only the owner answers; the investor is refused, a stranger does not know it exists.
    assert error_codes(await _answer(client, investor, interest["id"], True)) == ["FORBIDDEN"]
    unknown = (await _answer(client, stranger, interest["id"], True))["data"]["investmentInterestAnswer"]
    assert _codes(unknown) == [("NOT_FOUND", "investmentInterestId")]
    assert error_codes(await _withdraw(client, owner, interest["id"])) == ["FORBIDDEN"]
    answered = await _answer(client, owner, interest["id"], True, "Mời anh qua văn phòng trao đổi.")
    result = answered["data"]["investmentInterestAnswer"]
    assert result["errors"] == [] and result["interest"]["status"] == "ACCEPTED"
    assert result["interest"]["answer"] == "Mời anh qua văn phòng trao đổi." and result["interest"]["answeredAt"]

    # Both see the status; the investor is notified.
    mine = (await gql(client, MINE, headers=investor.auth))["data"]["myInvestmentInterests"]
    assert mine["totalCount"] == 1
    assert mine["edges"][0]["node"]["status"] == "ACCEPTED"
    assert mine["edges"][0]["node"]["answer"] == "Mời anh qua văn phòng trao đổi."
    notes = (await gql(client, NOTIFICATIONS, headers=investor.auth))["data"]["notifications"]["edges"]
    assert [n["node"]["kind"] for n in notes] == ["INVESTMENT_INTEREST_ANSWERED"]

    again = await _answer(client, owner, interest["id"], False)
    assert _codes(again["data"]["investmentInterestAnswer"]) == [("CONFLICT", None)]
    late = await _withdraw(client, investor, interest["id"])
    assert _codes(late["data"]["investmentInterestWithdraw"]) == [("CONFLICT", None)]


async def test_one_pending_interest_per_investor_and_withdrawing(app, client):
    owner, investor = await _people(app, client, 2)
    listing = await _opportunity(client, owner, priceMinDong=None, priceMaxDong=None, priceOnRequest=True)
    first = (await _interest(client, investor, listing["id"]))["interest"]
    duplicate = await _interest(client, investor, listing["id"], amount=1_000)
    assert _codes(duplicate) == [("CONFLICT", None)]
    withdrawn = (await _withdraw(client, investor, first["id"]))["data"]
    assert withdrawn["investmentInterestWithdraw"]["interest"]["status"] == "WITHDRAWN"
    second = await _interest(client, investor, listing["id"], amount=2_000_000)
    assert second["errors"] == []
    declined = await _answer(client, owner, second["interest"]["id"], False)
    assert declined["data"]["investmentInterestAnswer"]["interest"]["status"] == "DECLINED"
    seen = (await gql(client, LISTING_INTERESTS, {"id": listing["id"]}, headers=owner.auth))["data"]["node"]
    assert [e["node"]["status"] for e in seen["interests"]["edges"]] == ["DECLINED", "WITHDRAWN"]


async def test_interest_refusals(app, client):
    owner, investor = await _people(app, client, 2)
    listing = await _opportunity(client, owner)
    goods = await create_listing(client, owner)
    draft = await _opportunity(client, owner, publish=False)

    newcomer = await register(client)
    body = await gql(
        client,
        CREATE,
        {"input": {"listingId": listing["id"], "amountDong": 1_000, "message": "Chào"}},
        headers=newcomer.auth,
    )
    assert error_codes(body) == ["FORBIDDEN"] and body["errors"][0]["extensions"]["requiredLevel"] == 2
    body = await gql(client, CREATE, {"input": {"listingId": listing["id"], "amountDong": 1_000, "message": "Chào"}})
    assert error_codes(body) == ["UNAUTHENTICATED"]

    assert _codes(await _interest(client, investor, goods["id"])) == [("INVALID_INPUT", "listingId")]
    assert _codes(await _interest(client, owner, listing["id"])) == [("INVALID_INPUT", "listingId")]
    assert _codes(await _interest(client, investor, draft["id"])) == [("NOT_FOUND", "listingId")]
    both = await _interest(client, investor, listing["id"], amount=0, message=" ")
    assert _codes(both) == [("INVALID_INPUT", "amountDong"), ("INVALID_INPUT", "message")]
    assert _codes(await _interest(client, investor, listing["id"], amount=0)) == [("INVALID_INPUT", "amountDong")]
    assert _codes(await _interest(client, investor, listing["id"], amount=-5)) == [("INVALID_INPUT", "amountDong")]
    assert _codes(await _interest(client, investor, listing["id"], message="  ")) == [("INVALID_INPUT", "message")]
    too_long = await _interest(client, investor, listing["id"], message="x" * 2001)
    assert _codes(too_long) == [("INVALID_INPUT", "message")]
    body = await gql(
        client,
        CREATE,
        {"input": {"listingId": listing["id"], "amountDong": 1.5, "message": "Chào"}},
        headers=investor.auth,
    )
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]

    paused = await gql(
        client, STATUS_SET, {"input": {"listingId": listing["id"], "status": "PAUSED"}}, headers=owner.auth
    )
    assert paused["data"]["listingStatusSet"]["errors"] == []
    assert _codes(await _interest(client, investor, listing["id"])) == [("CONFLICT", None)]
    mine = (await gql(client, MINE, headers=investor.auth))["data"]["myInvestmentInterests"]
    assert mine["totalCount"] == 0


async def test_organisations_invest_and_answer_through_their_owners(app, client):
    owner, investor = await _people(app, client, 2)
    seller_org = await registered_org(client, owner)
    investor_org = await registered_org(client, investor, name="Quỹ Đầu tư Sông Hồng", taxCode="0109876543")
    listing = await _opportunity(client, owner, as_organization=seller_org)
    created = await _interest(client, investor, listing["id"], org=investor_org)
    assert created["errors"] == [] and created["interest"]["investor"]["id"] == investor_org
    mine = (await gql(client, MINE, {"org": investor_org}, headers=investor.auth))["data"]["myInvestmentInterests"]
    assert [e["node"]["id"] for e in mine["edges"]] == [created["interest"]["id"]]
    personal = (await gql(client, MINE, headers=investor.auth))["data"]["myInvestmentInterests"]
    assert personal["totalCount"] == 0
    answered = await _answer(client, owner, created["interest"]["id"], True)
    assert answered["data"]["investmentInterestAnswer"]["interest"]["status"] == "ACCEPTED"


async def test_parallel_duplicate_interests_leave_one_pending(app, client):
    owner, investor = await _people(app, client, 2)
    listing = await _opportunity(client, owner)
    results = await asyncio.gather(
        *[_interest(client, investor, listing["id"], amount=1_000_000 * (i + 1)) for i in range(4)]
    )
    assert sorted(len(r["errors"]) for r in results) == [0, 1, 1, 1]
    assert all(_codes(r) == [("CONFLICT", None)] for r in results if r["errors"])
    seen = (await gql(client, LISTING_INTERESTS, {"id": listing["id"]}, headers=owner.auth))["data"]["node"]
    assert seen["interests"]["totalCount"] == 1


async def test_interests_page_both_ways_and_refuse_another_lists_cursor(app, client):
    owner, *investors = await _people(app, client, 6)
    listing, *others = [
        await create_listing(client, owner, kind="INVESTMENT", title=title)
        for title in ("Góp vốn mở tiệm phở", "Góp vốn quán bia hơi", "Góp vốn xưởng gốm", "Góp vốn nhà sách")
    ]
    stated = [(await _interest(client, i, listing["id"]))["interest"]["id"] for i in investors]
    on_listing = await paging.both_ways(
        client, LISTING_INTERESTS, ("node", "interests"), {"id": listing["id"]}, headers=owner.auth
    )
    assert [n["id"] for n in on_listing] == list(reversed(stated))
    investor = investors[0]
    mine = [stated[0]] + [(await _interest(client, investor, o["id"]))["interest"]["id"] for o in others]
    by_investor = await paging.both_ways(client, MINE, ("myInvestmentInterests",), headers=investor.auth)
    assert [n["id"] for n in by_investor] == list(reversed(mine))
    # A cursor of another listing's interests, or of another investor's list, is refused.
    elsewhere = await paging.first_cursor(
        client, LISTING_INTERESTS, ("node", "interests"), {"id": others[0]["id"]}, headers=owner.auth
    )
    await refuses_cursor(client, LISTING_INTERESTS, elsewhere, {"id": listing["id"]}, headers=owner.auth)
    theirs = await paging.first_cursor(client, MINE, ("myInvestmentInterests",), headers=investors[1].auth)
    await refuses_cursor(client, MINE, theirs, headers=investor.auth)
