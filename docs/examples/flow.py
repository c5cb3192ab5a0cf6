"""The flow of docs/app-developers.md in Python with httpx: register, verify a phone, sign in, connect, post, read
the feed, comment, react, search, list an item, order and pay.

Run it against a development server that holds the demo data:

    make serve                                  # terminal 1: Neo4j and the API on http://127.0.0.1:8000/graphql
    .venv/bin/hanoismart seed --demo            # terminal 2, once: the demo accounts (An sells, Đức buys)
    .venv/bin/python docs/examples/flow.py      # HANOISMART_API=<url> to call another server

Each run registers a new person, so it can be run again and again (a development server allows 20 registrations an
hour from one address).
"""

from __future__ import annotations

import os
import random
import uuid
from typing import Any

import httpx

API = os.environ.get("HANOISMART_API", "http://127.0.0.1:8000/graphql")
DEMO_PASSWORD = "Phố cổ Hà Nội 36 phố phường"  # every demo account's, printed by `hanoismart seed --demo`
SELLER = "an.nguyen@example.vn"  # Nguyễn Văn An, level 2
BUYER = "duc.hoang@example.vn"  # Hoàng Minh Đức, level 2


# [call]
class TopLevelError(Exception):
    """The request failed as a whole: not signed in, not allowed, rate limited... (``extensions.code``)."""


class InputRejected(Exception):
    """A mutation refused its input; ``errors`` lists every mistake with its code, field path and message."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(f"{e['code']} {e['field']}: {e['message']}" for e in errors))
        self.errors = errors


def graphql(query: str, variables: dict[str, Any] | None = None, token: str | None = None, language: str = "en"):
    """POST one document with its variables; the ``data`` of the answer, or TopLevelError."""
    headers = {"Accept-Language": language}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = httpx.post(API, json={"query": query, "variables": variables or {}}, headers=headers, timeout=30)
    body = response.json()
    if body.get("errors"):
        first = body["errors"][0]
        raise TopLevelError(f"{first['extensions']['code']}: {first['message']}")
    return body["data"]


def mutate(field: str, document: str, input: dict[str, Any], token: str | None = None, language: str = "en"):
    """Run a mutation (one ``input`` object); its payload, or InputRejected with the payload's ``errors``."""
    payload = graphql(document, {"input": input}, token, language)[field]
    if payload["errors"]:
        raise InputRejected(payload["errors"])
    return payload


# [/call]

REGISTER = """
mutation Register($input: PersonRegisterInput!) {
  personRegister(input: $input) {
    person { id displayName verificationLevel }
    tokens { accessToken refreshToken }
    errors { code field message }
  }
}
"""
SIGN_IN = """
mutation SignIn($input: SessionLoginInput!) {
  sessionLogin(input: $input) { tokens { accessToken refreshToken } errors { code field message } }
}
"""
REFRESH = """
mutation Refresh($input: SessionRefreshInput!) {
  sessionRefresh(input: $input) { tokens { accessToken refreshToken } errors { code field message } }
}
"""
ME = "query Me { me { id displayName verificationLevel contacts { id kind value verifiedAt } } }"
SEND_CODE = """
mutation SendCode($input: ContactVerificationStartInput!) {
  contactVerificationStart(input: $input) { contact { id } errors { code field message } }
}
"""
CODES = "query Codes($to: String!) { developmentMessages(to: $to) { code sentAt } }"
CHECK_CODE = """
mutation CheckCode($input: ContactVerificationCompleteInput!) {
  contactVerificationComplete(input: $input) { person { verificationLevel } errors { code field message } }
}
"""
CONNECT = """
mutation Connect($input: ConnectionRequestInput!) {
  connectionRequest(input: $input) { relation { requestSent connected } errors { code field message } }
}
"""
ACCEPT = """
mutation Accept($input: ConnectionAcceptInput!) {
  connectionAccept(input: $input) { relation { connected } errors { code field message } }
}
"""
POST = """
mutation Post($input: PostCreateInput!) {
  postCreate(input: $input) { post { id text ward { fullName } } errors { code field message } }
}
"""
FEED = """
query Feed($first: Int, $after: String) {
  feed(first: $first, after: $after) {
    nodes { id text author { displayName } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
COMMENT = """
mutation Comment($input: CommentCreateInput!) {
  commentCreate(input: $input) { comment { id text } errors { code field message } }
}
"""
REACT = """
mutation React($input: ReactionSetInput!) {
  reactionSet(input: $input) { errors { code field message } }
}
"""
POST_DETAILS = """
query PostDetails($id: ID!) {
  node(id: $id) {
    ... on Post { text reactions { total } comments(first: 10) { nodes { text author { displayName } } } }
  }
}
"""
SEARCH = """
query Search($text: String!, $listing: String!) {
  postSearch(text: $text, first: 3) { nodes { text author { displayName } } }
  listings(filter: {search: $listing}, first: 3) { nodes { title priceDong seller { displayName } } }
}
"""
LIST_ITEM = """
mutation ListItem($input: ListingCreateInput!) {
  listingCreate(input: $input) { listing { id title status priceDong } errors { code field message } }
}
"""
ORDER = """
mutation Order($input: OrderPlaceInput!) {
  orderPlace(input: $input) { order { id status totalDong } errors { code field message } }
}
"""
ACCEPT_ORDER = """
mutation AcceptOrder($input: OrderAcceptInput!) {
  orderAccept(input: $input) { order { status } errors { code field message } }
}
"""
TOP_UP = """
mutation TopUp($input: WalletTopUpInput!) {
  walletTopUp(input: $input) { wallet { balanceDong } errors { code field message } }
}
"""
PAY = """
mutation Pay($input: OrderPayInput!) {
  orderPay(input: $input) { order { id status } errors { code field message } }
}
"""


def sign_in(identifier: str, password: str) -> str:
    """An access token for a person (10 minutes; ``sessionRefresh`` gives the next one)."""
    return mutate("sessionLogin", SIGN_IN, {"identifier": identifier, "password": password})["tokens"]["accessToken"]


def main() -> None:
    # [errors]
    # Every mistake of an input comes back at once, each with its path in the input, in the language asked for.
    wrong = {
        "fullName": "<b>Khoa</b>",
        "dateOfBirth": "1996-08-19",
        "sex": "MALE",
        "roles": ["RESIDENT"],
        "document": {"kind": "CCCD", "number": "123"},
        "password": "123456",
        "wardCode": "00070",
    }
    try:
        mutate("personRegister", REGISTER, wrong, language="vi")
    except InputRejected as rejected:
        for error in rejected.errors:
            print("refused:", error["code"], ".".join(error["field"] or []), "-", error["message"])
    # [/errors]

    # [register]
    phone = f"091{random.randint(1_000_000, 9_999_999)}"
    password = "Mùa thu Hà Nội có hoa sữa 2026"
    person = {
        "fullName": "Đỗ Minh Khoa",
        "dateOfBirth": "1996-08-19",
        "sex": "MALE",
        "roles": ["RESIDENT"],
        "document": {"kind": "CCCD", "number": f"001096{random.randint(0, 999_999):06d}"},  # agrees with birth and sex
        "password": password,
        "phone": phone,
        "wardCode": "00070",  # Hoàn Kiếm: `communes` lists the 126 codes
    }
    registered = mutate("personRegister", REGISTER, person)
    me, token = registered["person"], registered["tokens"]["accessToken"]
    print("registered", me["displayName"], "at level", me["verificationLevel"])
    # [/register]

    # [verify-phone]
    contacts = graphql(ME, token=token)["me"]["contacts"]
    contact = next(c for c in contacts if c["kind"] == "PHONE")
    mutate("contactVerificationStart", SEND_CODE, {"contactId": contact["id"]}, token)
    code = graphql(CODES, {"to": phone})["developmentMessages"][0]["code"]  # development servers only
    checked = mutate("contactVerificationComplete", CHECK_CODE, {"contactId": contact["id"], "code": code}, token)
    print("phone", contact["value"], "verified with code", code, "-> level", checked["person"]["verificationLevel"])
    # [/verify-phone]

    # [sign-in]
    tokens = mutate("sessionLogin", SIGN_IN, {"identifier": phone, "password": password})["tokens"]
    tokens = mutate("sessionRefresh", REFRESH, {"refreshToken": tokens["refreshToken"]})["tokens"]
    token = tokens["accessToken"]  # send it as `Authorization: Bearer <token>`
    print("signed in with the phone; refreshed the session")
    # [/sign-in]

    # [connect]
    seller = sign_in(SELLER, DEMO_PASSWORD)
    an = graphql(ME, token=seller)["me"]
    mutate("connectionRequest", CONNECT, {"actorId": an["id"]}, token)
    accepted = mutate("connectionAccept", ACCEPT, {"actorId": me["id"]}, seller)
    print("connected with", an["displayName"], accepted["relation"])
    # [/connect]

    # [post]
    hello = {
        "text": "Xin chào Hà Nội! Mình là Khoa, mới chuyển về Hoàn Kiếm.",
        "visibility": "PUBLIC",
        "wardCode": "00070",
    }
    post = mutate("postCreate", POST, hello, token)["post"]
    print("posted in", post["ward"]["fullName"], ":", post["text"])
    # [/post]

    # [feed]
    feed = graphql(FEED, {"first": 3}, seller)["feed"]
    print("An's feed, newest first:", [p["text"][:30] for p in feed["nodes"]])
    if feed["pageInfo"]["hasNextPage"]:
        more = graphql(FEED, {"first": 3, "after": feed["pageInfo"]["endCursor"]}, seller)["feed"]
        print("  next page:", [p["text"][:30] for p in more["nodes"]])
    # [/feed]

    # [comment-react]
    mutate("commentCreate", COMMENT, {"postId": post["id"], "text": "Chào mừng Khoa đến Hoàn Kiếm!"}, seller)
    mutate("reactionSet", REACT, {"postId": post["id"], "kind": "LOVE"}, seller)
    details = graphql(POST_DETAILS, {"id": post["id"]}, token)["node"]
    print("my post:", details["reactions"]["total"], "reaction,", [c["text"] for c in details["comments"]["nodes"]])
    # [/comment-react]

    # [search]
    found = graphql(SEARCH, {"text": "xin chao ha noi", "listing": "am chen"})  # no token: what anyone sees
    print("posts found:", [p["author"]["displayName"] for p in found["postSearch"]["nodes"]])
    print("listings found:", [(item["title"], item["priceDong"]) for item in found["listings"]["nodes"]])
    # [/search]

    # [sell-buy-pay]
    hat = {
        "kind": "GOODS",
        "title": "Nón lá làng Chuông",
        "category": "fashion",
        "priceDong": 120000,
        "stock": 5,
        "wardCode": "00070",
        "publish": True,
    }
    listing = mutate("listingCreate", LIST_ITEM, hat, seller)["listing"]
    buyer = sign_in(BUYER, DEMO_PASSWORD)
    place = {"listingId": listing["id"], "quantity": 1, "idempotencyKey": str(uuid.uuid4())}
    order = mutate("orderPlace", ORDER, place, buyer)["order"]
    mutate("orderAccept", ACCEPT_ORDER, {"orderId": order["id"]}, seller)
    wallet = mutate("walletTopUp", TOP_UP, {"amountDong": 200000, "idempotencyKey": str(uuid.uuid4())}, buyer)["wallet"]
    pay = {"orderId": order["id"], "idempotencyKey": str(uuid.uuid4())}
    paid = mutate("orderPay", PAY, pay, buyer)["order"]
    again = mutate("orderPay", PAY, pay, buyer)["order"]  # a retry with the same key: the same answer, paid once
    print(f"ordered {listing['title']} for {order['totalDong']} đồng; wallet {wallet['balanceDong']}: {paid['status']}")
    try:
        mutate("orderPay", PAY, {**pay, "idempotencyKey": str(uuid.uuid4())}, buyer)  # a new payment of a paid order
    except InputRejected as rejected:
        print("second payment refused:", rejected.errors[0]["code"])
    # [/sell-buy-pay]
    assert again == paid

    # [top-level-error]
    try:
        graphql(FEED, {"first": 3})  # no token
    except TopLevelError as error:
        print("without a token:", error)
    # [/top-level-error]


if __name__ == "__main__":
    main()
