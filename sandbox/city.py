"""``hanoismart seed --people N --seed S``: a synthetic city, written straight into the graph in batches.

Where ``sandbox.demo`` goes through the services (a few people, every rule exercised), this makes a city of any
size in minutes: it computes every node and relationship in Python, deterministically from ``(seed, N)``, and writes
them with batched ``UNWIND`` statements (``graph.sandbox``) in exactly the shape the product's own statements write
(``tests/sandbox/test_city_seed.py`` compares the shapes with the demo's, which the services made).

What it makes, for N people:

- people over the real 126 wards (more in the urban wards), with Vietnamese names (family names by their real
  frequencies), birth dates, format-valid citizen IDs consistent with the birth date, sex and a province of birth
  (``identity.documents.check_cccd`` accepts every one; the graph keeps only the HMAC digest and the last four
  digits, as registration does), an e-mail for each and a phone for those at level >= 1 (proven), level 2 approved
  by a city officer (person 0, who also holds the officer role); all share ONE development password, hashed once;
- a power-law connection graph (Chung-Lu weights, exponent ~2.6, mostly within the ward), mean degree ~40, and a few
  pending requests;
- organisations owned by level-2 people, followed by people (popularity by power law); groups with members;
- posts by people (by a power law of activity; public, to connections, in the ward's community or in a group;
  organisations do not post: ``social.post.create`` is not done for an organisation), comments (some replies),
  reactions; notifications for the last ``RECENT_DAYS`` days of activity;
- listings by organisations and level-2 people; completed orders (every step's event) with reviews and the sellers'
  rating totals.

Not made (yet): wallets and ledger entries of the orders (an order is completed without its payment entries:
wallets read as empty), sessions and one-time codes (people sign in themselves). Notifications, and the
``REQUEST_NOTICE`` markers of connection requests, are written for the last ``RECENT_DAYS`` days only: older
connections stand without them (a city's old notifications would have been read; see docs/scaling.md).

**Deterministic**: the same ``(seed, N)`` gives the same ids, names, numbers, texts and relations (timestamps are
offsets back from the moment of the run). **Resumable**: every batch is one transaction and the steps run in a
fixed order, so ``--resume`` regenerates the same city and skips each batch whose first item is already there.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import hmac
import itertools
import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from auth.identifiers import verified_key
from auth.passwords import hash_password
from core.runtime import Runtime
from core.text import fold
from graph import sandbox as queries
from identity import privacy
from sandbox import city_data as words
from sandbox import demo_data
from sandbox.guard import SandboxRefused, require_development

#: The password of every synthetic person (hashed once, the hash reused): published, development data only.
CITY_PASSWORD = demo_data.DEMO_PASSWORD
COMMUNES_CSV = Path(__file__).resolve().parent.parent / "places" / "data" / "hanoi_communes_2025.csv"
PROVINCES_CSV = Path(__file__).resolve().parent.parent / "identity" / "data" / "cccd_province_codes.csv"
#: Notifications (and connection-request markers) are written for this many days back from the run.
RECENT_DAYS = 14
#: The city's history: people joined within this many days before the run.
HISTORY_DAYS = 720
MEAN_DEGREE = 40
#: Rows per transaction for each kind of batch.
NODE_BATCH = 2_000
EDGE_BATCH = 10_000
#: The transaction timeout of one batch (the API's own is much shorter).
BATCH_TIMEOUT_SECONDS = 300.0

Row = dict[str, Any]


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    kind: str  # phường | xã


def communes() -> list[Commune]:
    with open(COMMUNES_CSV, newline="", encoding="utf-8") as handle:
        return [Commune(r["code"], r["name"], r["kind"]) for r in csv.DictReader(handle)]


def province_codes() -> list[str]:
    with open(PROVINCES_CSV, newline="", encoding="utf-8") as handle:
        return [r["code"] for r in csv.DictReader(handle)]


@dataclass
class Step:
    """One kind of write: its statement (``graph.sandbox.CITY_STEPS``), its rows and its batch size."""

    name: str
    label: str
    rows: list[Row]
    batch: int


@dataclass
class SamplePerson:
    """A person to sign in as: what to type (CCCD always; the e-mail too from level 1) and who they are."""

    id: str
    name: str
    level: int
    cccd: str
    email: str
    ward: str
    connections: int
    posts: int


@dataclass
class City:
    seed: int
    people: int
    steps: list[Step] = field(default_factory=list)
    samples: list[SamplePerson] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def person_ids(self) -> list[str]:
        return [r["id"] for r in self.step("people").rows]

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)


class _Gen:
    """The random stream of one city: every draw comes from it, in a fixed order."""

    def __init__(self, seed: int, people: int) -> None:
        self.rng = random.Random(f"hanoismart-city:{seed}:{people}")

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def weighted(self, items: Sequence[tuple[str, int]]) -> str:
        return self.rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]

    def between(self, start: datetime, end: datetime) -> datetime:
        if end <= start:
            return start
        return start + timedelta(seconds=self.rng.uniform(0, (end - start).total_seconds()))

    def recent_between(self, start: datetime, end: datetime) -> datetime:
        """Skewed towards ``end`` (activity grows with the city)."""
        if end <= start:
            return start
        return end - timedelta(seconds=(end - start).total_seconds() * self.rng.random() ** 2)

    def power_weights(self, n: int, exponent: float, cap: float) -> list[float]:
        """n weights of a power law (Zipf ranks, shuffled), none above ``cap`` times the mean."""
        raw = [(i + 1) ** (-1 / (exponent - 1)) for i in range(n)]
        mean = sum(raw) / n
        capped = [min(w / mean, cap) for w in raw]
        self.rng.shuffle(capped)
        return capped


class _Picker:
    """Draw indices proportionally to weights (cumulative sums + bisect)."""

    def __init__(self, rng: random.Random, indices: Sequence[int], weights: Sequence[float]) -> None:
        self.rng, self.indices = rng, list(indices)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1] if self.cumulative else 0.0

    def __len__(self) -> int:
        return len(self.indices)

    def pick(self) -> int:
        return self.indices[bisect.bisect_right(self.cumulative, self.rng.random() * self.total)]


def _cccd(gen: _Gen, born: date, sex: str, provinces: list[str], taken: set[str]) -> str:
    """A 12-digit citizen ID: province of birth (Hà Nội mostly), century and sex, birth year, a random sequence."""
    province = "001" if gen.rng.random() < 0.7 else gen.rng.choice(provinces)
    century = (born.year - 1900) // 100
    digit = century * 2 + (1 if sex == "female" else 0)
    while True:
        number = f"{province}{digit}{born.year % 100:02d}{gen.rng.randrange(1_000_000):06d}"
        if number not in taken:
            taken.add(number)
            return number


def _digest(key: bytes, kind: str, country: str, number: str) -> str:
    """What ``identity.documents.CheckedDocument.digest`` stores."""
    return hmac.new(key, f"{kind}:{country}:{number}".encode(), hashlib.sha256).hexdigest()


def generate(
    *,
    people: int,
    seed: int,
    identity_key: bytes,
    password_hash: str,
    ward_communities: dict[str, str],
    now: datetime,
) -> City:
    """The whole city as rows, deterministic for ``(seed, people)`` (times are offsets back from ``now``)."""
    if people < 10:
        raise SandboxRefused("A city has at least 10 people (--people 10).")
    gen, rng = _Gen(seed, people), None
    rng = gen.rng
    city = City(seed=seed, people=people)
    wards = communes()
    provinces = province_codes()
    start = now - timedelta(days=HISTORY_DAYS)
    recent = now - timedelta(days=RECENT_DAYS)
    ward_picker = _Picker(rng, range(len(wards)), [3.0 if w.kind == "phường" else 1.0 for w in wards])
    audiences = privacy.default_audience_properties()

    # --- people ------------------------------------------------------------------------------------------------------
    person_rows: list[Row] = []
    ward_of: list[int] = []
    level_of: list[int] = []
    created_of: list[datetime] = []
    cccds: list[str] = []
    taken: set[str] = set()
    for i in range(people):
        sex = "male" if rng.random() < 0.5 else "female"
        family = gen.weighted(words.FAMILY_NAMES)
        middle = rng.choice(words.MALE_MIDDLE if sex == "male" else words.FEMALE_MIDDLE)
        given = rng.choice(words.MALE_GIVEN if sex == "male" else words.FEMALE_GIVEN)
        name = f"{family} {middle} {given}"
        born = date(2008, 1, 1) - timedelta(days=rng.randrange(0, 62 * 365))
        number = _cccd(gen, born, sex, provinces, taken)
        level = 0 if i and rng.random() < 0.15 else (2 if i == 0 or rng.random() < 0.4 else 1)
        ward = ward_picker.pick()
        created = gen.between(start, now - timedelta(days=RECENT_DAYS // 2)) if i else start
        email = f"{fold(given).replace(' ', '')}.{fold(family).replace(' ', '')}.{i}@example.vn"
        contacts: list[Row] = [{"id": gen.uuid(), "kind": "email", "value": email, "verifiedKey": None}]
        if level >= 1:
            contacts.append({"id": gen.uuid(), "kind": "phone", "value": f"+8491{i:07d}", "verifiedKey": None})
            for contact in contacts:
                contact["verifiedKey"] = verified_key(contact["kind"], contact["value"])
        for contact in contacts:
            contact["createdAt"] = created
            contact["verifiedAt"] = created + timedelta(minutes=rng.randrange(2, 600)) if level >= 1 else None
        person_id = gen.uuid()
        props: Row = {
            "displayName": name,
            "fullName": name,
            "searchName": fold(name),
            "sex": sex,
            "roles": ["officer", "resident"] if i == 0 else ["resident"],
            "nationality": "VN",
            "investorSectors": [],
            "passwordHash": password_hash,
            "assuranceLevel": level,
            **audiences,
        }
        person_rows.append(
            {
                "id": person_id,
                "createdAt": created,
                "props": props,
                "dateOfBirth": born,
                "document": {
                    "id": gen.uuid(),
                    "kind": "cccd",
                    "digest": _digest(identity_key, "cccd", "VN", number),
                    "last4": number[-4:],
                    "country": "VN",
                },
                "wardCode": wards[ward].code,
                "communityId": ward_communities[wards[ward].code],
                "contacts": contacts,
            }
        )
        ward_of.append(ward)
        level_of.append(level)
        created_of.append(created)
        cccds.append(number)
    ids = [r["id"] for r in person_rows]
    city.steps.append(Step("people", "people", person_rows, NODE_BATCH))

    officer = 0
    verification_rows = []
    for i in range(1, people):
        if level_of[i] == 2:
            asked = created_of[i] + timedelta(hours=rng.randrange(1, 72))
            verification_rows.append(
                {
                    "id": gen.uuid(),
                    "personId": ids[i],
                    "officerId": ids[officer],
                    "createdAt": asked,
                    "decidedAt": asked + timedelta(minutes=rng.randrange(5, 2_000)),
                    "reason": "Synthetic city: approved by `hanoismart seed --people`.",
                }
            )
    city.steps.append(Step("verifications", "level-2 verifications", verification_rows, NODE_BATCH))

    # --- connections: Chung-Lu over power-law weights, mostly inside the ward ----------------------------------------
    weights = gen.power_weights(people, exponent=2.6, cap=max(2.0, min(50.0, people / (2 * MEAN_DEGREE))))
    everyone = _Picker(rng, range(people), weights)
    by_ward: dict[int, list[int]] = {}
    for i, w in enumerate(ward_of):
        by_ward.setdefault(w, []).append(i)
    ward_pickers = {w: _Picker(rng, members, [weights[m] for m in members]) for w, members in by_ward.items()}
    target = min(people * MEAN_DEGREE // 2, people * (people - 1) // 4)
    edges: set[tuple[int, int]] = set()
    attempts = 0
    while len(edges) < target and attempts < target * 5:
        attempts += 1
        a = everyone.pick()
        local = ward_pickers[ward_of[a]]
        b = local.pick() if len(local) > 3 and rng.random() < 0.6 else everyone.pick()
        if a != b:
            edges.add((a, b) if a < b else (b, a))
    ordered = sorted(edges)
    rng.shuffle(ordered)
    neighbours: list[list[int]] = [[] for _ in range(people)]
    connection_rows: list[Row] = []
    request_rows: list[Row] = []
    notification_rows: list[Row] = []
    for a, b in ordered:
        asker, answerer = (a, b) if rng.random() < 0.5 else (b, a)
        since = gen.between(max(created_of[a], created_of[b]), now)
        connection_rows.append({"a": ids[asker], "b": ids[answerer], "since": since})
        neighbours[a].append(b)
        neighbours[b].append(a)
        if since >= recent:
            asked = since - timedelta(minutes=rng.randrange(1, 3_000))
            requested = _notification(
                gen, ids[answerer], "connection_requested", ids[asker], ids[asker], "Person", asked, now
            )
            request_rows.append({"a": ids[asker], "b": ids[answerer], "at": asked, "notificationId": requested["id"]})
            notification_rows.append(requested)
            notification_rows.append(
                _notification(
                    gen, ids[asker], "connection_accepted", ids[answerer], ids[answerer], "Person", since, now
                )
            )
    city.steps.append(Step("connections", "connections", connection_rows, EDGE_BATCH))
    city.steps.append(Step("request-notices", "connection request notices", request_rows, EDGE_BATCH))
    pending_rows = []
    pending: set[tuple[int, int]] = set()
    for _ in range(max(1, people // 50)):
        a, b = everyone.pick(), everyone.pick()
        if a == b or (min(a, b), max(a, b)) in edges or (a, b) in pending or (b, a) in pending:
            continue
        pending.add((a, b))
        asked = gen.between(recent, now)
        note = _notification(gen, ids[b], "connection_requested", ids[a], ids[a], "Person", asked, now)
        pending_rows.append({"a": ids[a], "b": ids[b], "at": asked, "notificationId": note["id"]})
        notification_rows.append(note)
    city.steps.append(Step("pending-requests", "pending connection requests", pending_rows, EDGE_BATCH))

    # --- organisations, follows, groups -----------------------------------------------------------------------------
    verified = [i for i in range(people) if level_of[i] == 2]
    org_count = max(3, people // 250)
    org_rows: list[Row] = []
    org_ward: list[int] = []
    org_created: list[datetime] = []
    tax_codes: set[str] = set()
    for k in range(org_count):
        owner = rng.choice(verified)
        kind, sector = rng.choice(words.BUSINESS_KINDS)
        name = f"{kind} {rng.choice(words.BUSINESS_FLAVOURS)} {k + 1}"
        while (tax := f"01{rng.randrange(10**8):08d}") in tax_codes:
            pass
        tax_codes.add(tax)
        created = gen.between(created_of[owner], now - timedelta(days=RECENT_DAYS))
        org_rows.append(
            {
                "id": gen.uuid(),
                "founderId": ids[owner],
                "changeId": gen.uuid(),
                "createdAt": created,
                "props": {"displayName": name, "searchName": fold(name), "orgKind": "business", "sector": sector},
                "document": {
                    "id": gen.uuid(),
                    "kind": "tax_code",
                    "digest": _digest(identity_key, "tax_code", "VN", tax),
                    "last4": tax[-4:],
                    "country": "VN",
                },
            }
        )
        org_ward.append(ward_of[owner])
        org_created.append(created)
    org_ids = [r["id"] for r in org_rows]
    city.steps.append(Step("organizations", "organisations", org_rows, NODE_BATCH))
    org_picker = _Picker(rng, range(org_count), gen.power_weights(org_count, exponent=2.2, cap=40.0))
    follow_rows: list[Row] = []
    followers: list[list[int]] = [[] for _ in range(org_count)]
    for i in range(people):
        chosen = {org_picker.pick() for _ in range(min(org_count, int(rng.expovariate(1 / 3))))}
        for k in sorted(chosen):
            since = gen.recent_between(max(created_of[i], org_created[k]), now)
            follow_rows.append({"personId": ids[i], "orgId": org_ids[k], "since": since})
            followers[k].append(i)
    city.steps.append(Step("follows", "follows of organisations", follow_rows, EDGE_BATCH))

    group_count = max(2, people // 1_000)
    group_rows: list[Row] = []
    member_rows: list[Row] = []
    group_members: list[list[int]] = []
    for g in range(group_count):
        topic, description = words.GROUP_TOPICS[g % len(words.GROUP_TOPICS)]
        name = f"{topic} {wards[rng.randrange(len(wards))].name} #{g + 1}"
        founder = rng.randrange(people)
        created = gen.between(created_of[founder], now - timedelta(days=RECENT_DAYS))
        group_id = gen.uuid()
        group_rows.append(
            {
                "id": group_id,
                "founderId": ids[founder],
                "createdAt": created,
                "props": {"name": name, "searchName": fold(name), "description": description, "joinPolicy": "open"},
            }
        )
        size = min(people - 1, int(10 + rng.paretovariate(1.3) * 10))
        members = {founder} | {everyone.pick() for _ in range(size)}
        group_members.append(sorted(members))
        for m in sorted(members - {founder}):
            member_rows.append({"personId": ids[m], "groupId": group_id, "since": gen.between(created, now)})
    group_ids = [r["id"] for r in group_rows]
    city.steps.append(Step("groups", "groups", group_rows, NODE_BATCH))
    city.steps.append(Step("members", "group members", member_rows, EDGE_BATCH))

    # --- posts, comments, reactions ----------------------------------------------------------------------------------
    activity = _Picker(rng, range(people), gen.power_weights(people, exponent=2.3, cap=60.0))
    post_rows: list[Row] = []
    audiences_of_post: list[list[int]] = []
    author_of_post: list[int] = []
    posts_by_person = [0] * people
    for _ in range(int(people * 0.8)):
        i = activity.pick()
        created = gen.recent_between(created_of[i], now)
        roll = rng.random()
        community, ward_code, visibility, pool = None, None, "public", neighbours[i]
        if roll < 0.2:
            community, visibility = ward_communities[wards[ward_of[i]].code], "community"
            pool = by_ward[ward_of[i]]
        elif roll < 0.3 and (mine := [g for g in range(group_count) if i in group_members[g]]):
            g = rng.choice(mine)
            community, visibility, pool = group_ids[g], "community", group_members[g]
        elif roll < 0.6:
            visibility = "connections"
        elif rng.random() < 0.4:
            ward_code = wards[ward_of[i]].code
        text = (
            f"{rng.choice(words.POST_OPENINGS)} {rng.choice(words.POST_SUBJECTS)} "
            f"{wards[ward_of[i]].name} {rng.choice(words.POST_REMARKS)}"
        )
        tags = sorted({rng.choice(words.POST_TAGS) for _ in range(rng.randrange(0, 3))})
        post_rows.append(_post(gen, ids[i], text, visibility, tags, created, community, ward_code))
        audiences_of_post.append(pool if visibility != "public" or rng.random() < 0.7 else [])
        author_of_post.append(i)
        posts_by_person[i] += 1
    order = sorted(range(len(post_rows)), key=lambda p: post_rows[p]["createdAt"])
    post_rows = [post_rows[p] for p in order]
    audiences_of_post = [audiences_of_post[p] for p in order]
    author_of_post = [author_of_post[p] for p in order]
    city.steps.append(Step("posts", "posts", post_rows, NODE_BATCH))

    comment_rows: list[Row] = []
    reaction_rows: list[Row] = []
    notice_rows: list[Row] = []
    for p, post in enumerate(post_rows):
        author = author_of_post[p]
        pool = audiences_of_post[p]

        def reader(pool: list[int] = pool) -> int:
            return rng.choice(pool) if pool and rng.random() < 0.85 else everyone.pick()

        if post["visibility"] != "public" and not pool:
            continue
        draw = reader if post["visibility"] == "public" else (lambda pool=pool: rng.choice(pool))
        top_level: list[str] = []
        for _ in range(min(40, int(rng.expovariate(1 / 1.5)))):
            who = draw()
            at = gen.recent_between(post["createdAt"], now)
            parent = rng.choice(top_level) if top_level and rng.random() < 0.2 else None
            comment_id = gen.uuid()
            comment_rows.append(
                {
                    "id": comment_id,
                    "authorId": ids[who],
                    "postId": post["id"],
                    "text": rng.choice(words.COMMENTS),
                    "createdAt": at,
                    "parentId": parent,
                }
            )
            if parent is None:
                top_level.append(comment_id)
            if who != author and at >= recent:
                notification_rows.append(
                    _notification(gen, ids[author], "comment", ids[who], post["id"], "Post", at, now)
                )
        reactors = {draw() for _ in range(min(200, int(rng.expovariate(1 / 4.0))))}
        for who in sorted(reactors):
            at = gen.recent_between(post["createdAt"], now)
            kind = rng.choices(("like", "love", "haha", "wow", "sad", "angry"), weights=(60, 20, 8, 6, 4, 2))[0]
            reaction_rows.append({"personId": ids[who], "postId": post["id"], "kind": kind, "at": at})
            if who != author:
                notice_rows.append({"personId": ids[who], "postId": post["id"], "at": at})
                if at >= recent:
                    notification_rows.append(
                        _notification(gen, ids[author], "reaction", ids[who], post["id"], "Post", at, now)
                    )
    city.steps.append(Step("comments", "comments", comment_rows, NODE_BATCH))
    city.steps.append(Step("reactions", "reactions", reaction_rows, EDGE_BATCH))
    city.steps.append(Step("reaction-notices", "reaction notices", notice_rows, EDGE_BATCH))

    # --- listings, completed orders, reviews ------------------------------------------------------------------------
    listing_rows: list[Row] = []
    listing_seller: list[tuple[str, str | None]] = []  # (seller actor id, acting person for an organisation)
    owner_of_org = {r["id"]: r["founderId"] for r in org_rows}
    categories = sorted(words.LISTINGS)
    for n in range(max(5, people // 20)):
        if rng.random() < 0.7:
            k = org_picker.pick()
            seller, person, ward, since = org_ids[k], owner_of_org[org_ids[k]], org_ward[k], org_created[k]
        else:
            s = rng.choice(verified)
            seller, person, ward, since = ids[s], None, ward_of[s], created_of[s]
        category = categories[n % len(categories)] if n < len(categories) else rng.choice(categories)
        titles, kind, (low, high) = words.LISTINGS[category]
        title = f"{rng.choice(titles)} {rng.choice(words.BUSINESS_FLAVOURS)}"
        description = f"{rng.choice(words.LISTING_DESCRIPTIONS)} {rng.choice(words.LISTING_DESCRIPTIONS)}"
        created = gen.recent_between(since, now - timedelta(days=1))
        listing_props: Row = {
            "kind": kind,
            "title": title,
            "searchTitle": fold(title),
            "description": description,
            "searchDescription": fold(description),
            "priceDong": rng.randrange(low, high) * 1_000,
            "priceOnRequest": False,
            "category": category,
            "wardCode": wards[ward].code,
            "photoUrls": [],
            "status": "active",
        }
        if kind == "goods":
            listing_props["stock"] = rng.randrange(5, 60)
        listing_rows.append({"id": gen.uuid(), "sellerId": seller, "createdAt": created, "props": listing_props})
        listing_seller.append((seller, person))
    order_rows: list[Row] = []
    review_rows: list[Row] = []
    for _ in range(max(3, people // 20)):
        n = rng.randrange(len(listing_rows))
        listing = listing_rows[n]
        seller, seller_person = listing_seller[n]
        buyer = rng.choice(verified)
        if ids[buyer] in (seller, seller_person):
            continue
        quantity = 1 if listing["props"]["kind"] != "goods" else rng.randint(1, 3)
        stock = listing["props"].get("stock")
        if stock is not None:
            if stock < quantity:
                continue
            listing["props"]["stock"] = stock - quantity
            if stock == quantity:
                listing["props"]["status"] = "sold_out"
        placed = gen.recent_between(max(listing["createdAt"], created_of[buyer]), now - timedelta(hours=12))
        times = [placed]
        for _step in range(4):
            times.append(times[-1] + timedelta(minutes=rng.randrange(5, 1_500)))
        acting = seller_person or seller
        events = [
            {"id": gen.uuid(), "from": frm, "to": to, "at": at, "byId": by, "personId": person}
            for (frm, to, by, person), at in zip(
                (
                    (None, "placed", ids[buyer], ids[buyer]),
                    ("placed", "accepted", seller, acting),
                    ("accepted", "paid", ids[buyer], ids[buyer]),
                    ("paid", "fulfilled", seller, acting),
                    ("fulfilled", "completed", ids[buyer], ids[buyer]),
                ),
                times,
                strict=True,
            )
        ]
        order_id = gen.uuid()
        price = listing["props"]["priceDong"]
        order_rows.append(
            {
                "id": order_id,
                "buyerId": ids[buyer],
                "sellerId": seller,
                "totalDong": price * quantity,
                "createdAt": placed,
                "updatedAt": times[-1],
                "fulfilledAt": times[3],
                "placeKey": f"{ids[buyer]}:city-order-{order_id[:8]}",
                "listingId": listing["id"],
                "quantity": quantity,
                "unitPriceDong": price,
                "title": listing["props"]["title"],
                "events": events,
            }
        )
        updated: datetime = listing.get("updatedAt") or listing["createdAt"]
        listing["updatedAt"] = max(updated, placed)
        if rng.random() < 0.6:
            rating = rng.choices((5, 4, 3, 2, 1), weights=(50, 30, 10, 6, 4))[0]
            review_rows.append(
                {
                    "id": gen.uuid(),
                    "orderId": order_id,
                    "sellerId": seller,
                    "buyerId": ids[buyer],
                    "rating": rating,
                    "text": rng.choice(words.REVIEWS[rating]),
                    "createdAt": times[-1] + timedelta(minutes=rng.randrange(1, 600)),
                }
            )
    for listing in listing_rows:
        listing.setdefault("updatedAt", listing["createdAt"])
    ratings: dict[str, list[int]] = {}
    for review in review_rows:
        total = ratings.setdefault(review["sellerId"], [0, 0])
        total[0] += review["rating"]
        total[1] += 1
    rating_rows = [{"id": seller, "total": t, "count": c} for seller, (t, c) in sorted(ratings.items())]
    city.steps.append(Step("listings", "listings", listing_rows, NODE_BATCH))
    city.steps.append(Step("orders", "completed orders", order_rows, NODE_BATCH))
    city.steps.append(Step("reviews", "reviews", review_rows, NODE_BATCH))
    city.steps.append(Step("ratings", "seller ratings", rating_rows, NODE_BATCH))

    notification_rows.sort(key=lambda n: n["createdAt"])
    city.steps.append(Step("notifications", "notifications", notification_rows, NODE_BATCH))

    degree = [len(n) for n in neighbours]
    for i in _sample_indices(people, level_of, degree, posts_by_person):
        row = person_rows[i]
        city.samples.append(
            SamplePerson(
                id=row["id"],
                name=row["props"]["displayName"],
                level=level_of[i],
                cccd=cccds[i],
                email=row["contacts"][0]["value"],
                ward=wards[ward_of[i]].name,
                connections=degree[i],
                posts=posts_by_person[i],
            )
        )
    city.counts = {s.label: len(s.rows) for s in city.steps}
    return city


def _sample_indices(people: int, level: list[int], degree: list[int], posts: list[int]) -> list[int]:
    """The officer, the most connected and the most prolific level-2 people, and a typical one."""
    chosen = [0]
    by_degree = sorted((i for i in range(people) if level[i] == 2), key=lambda i: (-degree[i], i))
    by_posts = sorted((i for i in range(people) if level[i] == 2), key=lambda i: (-posts[i], i))
    median = sorted(range(people), key=lambda i: (degree[i], i))[people // 2]
    for i in [*by_degree[:2], *by_posts[:2], median]:
        if i not in chosen:
            chosen.append(i)
    return chosen


def _post(
    gen: _Gen,
    author_id: str,
    text: str,
    visibility: str,
    tags: list[str],
    created: datetime,
    community_id: str | None,
    ward_code: str | None,
) -> Row:
    return {
        "id": gen.uuid(),
        "authorId": author_id,
        "text": text,
        "searchText": fold(text),
        "visibility": visibility,
        "tags": tags,
        "createdAt": created,
        "communityId": community_id,
        "wardCode": ward_code,
    }


def _notification(
    gen: _Gen, recipient: str, kind: str, actor: str, subject: str, subject_type: str, at: datetime, now: datetime
) -> Row:
    """A notification as ``graph.notifications`` writes it; read when it is more than two days old."""
    read = at + timedelta(hours=gen.rng.uniform(0.5, 40)) if at < now - timedelta(days=2) else None
    return {
        "id": gen.uuid(),
        "recipientId": recipient,
        "kind": kind,
        "actorId": actor,
        "subjectId": subject,
        "subjectType": subject_type,
        "createdAt": at,
        "readAt": read,
    }


# --- writing ---------------------------------------------------------------------------------------------------------


@dataclass
class CityReport:
    city: City
    written: int = 0
    skipped: int = 0
    wiped: int = 0
    seconds: float = 0.0
    step_seconds: dict[str, float] = field(default_factory=dict)


def batches(rows: list[Row], size: int) -> Iterator[list[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def _ward_communities(rt: Runtime) -> dict[str, str]:
    found = await rt.graph.read(queries.ward_communities)
    if len(found) < len(communes()):
        raise SandboxRefused("The ward communities are missing: run `hanoismart migrate` first.")
    return found


async def plan_city(rt: Runtime, *, people: int, seed: int, now: datetime | None = None) -> City:
    """Generate the city for this runtime (its identity key, the ward communities of its graph)."""
    password_hash = await hash_password(CITY_PASSWORD)
    return generate(
        people=people,
        seed=seed,
        identity_key=rt.identity_key,
        password_hash=password_hash,
        ward_communities=await _ward_communities(rt),
        now=now or datetime.now(UTC).replace(microsecond=0),
    )


Progress = Callable[[str, int], None]


async def seed_city(
    rt: Runtime,
    *,
    people: int,
    seed: int,
    force: bool = False,
    resume: bool = False,
    progress: Callable[[City], Progress] | None = None,
) -> CityReport:
    """Write the city of ``(seed, people)``. Refused in production, and on a database holding other data unless
    ``force`` (delete it first) or ``resume`` (the same city, half written: its batches already there are skipped)."""
    import time  # noqa: PLC0415 (only the writer times itself)

    from sandbox.demo import other_data, wipe  # noqa: PLC0415 (demo imports the services; city does not need them)

    require_development(rt.settings, "hanoismart seed --people")
    if force and resume:
        raise SandboxRefused("Choose one: --force (delete and start again) or --resume (continue).")
    found = await other_data(rt)
    wiped = 0
    city = await plan_city(rt, people=people, seed=seed)
    first = city.person_ids[0]
    if found and not force:
        if not resume:
            raise SandboxRefused(
                f"This database already holds {found} nodes besides migrations and reference data, so nothing was "
                f"written. Use an empty database; or run `hanoismart seed --people {people} --seed {seed} --resume` "
                "to continue a city of this seed and size that was interrupted; or `--force` to DELETE all of that "
                "data first."
            )
        if not await rt.graph.read(queries.city_step_done, "people", {"id": first}):
            raise SandboxRefused(
                f"The data here is not a city of --seed {seed} --people {people} (its first person is missing), so "
                "it cannot be resumed. Rerun with the seed and size of the interrupted run, or use --force."
            )
    elif found:
        wiped = await wipe(rt)
    report = CityReport(city=city, wiped=wiped)
    tick = progress(city) if progress else None
    began = time.perf_counter()
    # a batch is a bigger transaction than any request's: it gets more time than the API's timeout
    api_timeout, rt.graph.tx_timeout = rt.graph.tx_timeout, max(rt.graph.tx_timeout, BATCH_TIMEOUT_SECONDS)
    try:
        for step in city.steps:
            step_began = time.perf_counter()
            for batch in batches(step.rows, step.batch):
                if resume and await rt.graph.read(queries.city_step_done, step.name, batch[0]):
                    report.skipped += len(batch)
                else:
                    await rt.graph.write(queries.write_city_step, step.name, batch)
                    report.written += len(batch)
                if tick:
                    tick(step.label, len(batch))
            report.step_seconds[step.name] = time.perf_counter() - step_began
    finally:
        rt.graph.tx_timeout = api_timeout
    report.seconds = time.perf_counter() - began
    return report
