"""A canonical projection of the graph: what two runs of the demo seed must have in common.

The services generate ids (UUIDs), timestamps, salts, tokens and keyed digests themselves, so two runs differ in
those and in nothing else. The projection is the multiset of nodes and relationships with:

- every ``DateTime`` replaced by ``<time>`` (a ``Date``, a birth date, stays);
- every UUID inside a string replaced by the name of the node it is the id of (``Person:Nguyễn Văn An``, a post's
  text, a listing's title...), or ``<uuid>`` for nodes without a name (orders, entries);
- every run of 16 or more hex digits (hashes, HMAC digests, provider references) and argon2 hashes replaced;
- the sharded platform wallets (``escrow:7``, ``provider:14``: the shard is picked by a hash of a generated id)
  folded into one ``escrow`` and one ``provider`` wallet with their summed balance, and their side of a ledger
  entry's per-wallet numbering left out;
- a node named by its labels and projected properties, its ``id`` left out; a relationship by its type, its
  projected properties and the projections of its two ends; reference data (communes, ward communities) named by
  its id (stable: derived from the official codes) and left out as nodes; migration records left out.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from neo4j import AsyncManagedTransaction
from neo4j.time import Date, DateTime

from graph.driver import run

#: What the running app writes on its own schedule, whatever the data (partners.usage: the apps' daily usage counts
#: and the marker of each flush, every HANOISMART_USAGE_FLUSH_INTERVAL_SECONDS): in a graph or not, by timing, so
#: the comparisons of seeded graphs leave it out.
RUNNING_APP = ("UsageDay", "UsageFlush")

NODES = f"""
MATCH (n) WHERE NOT n:SchemaMigration {"".join(f"AND NOT n:{label} " for label in RUNNING_APP)}
RETURN elementId(n) AS key, labels(n) AS labels, properties(n) AS props
"""
RELATIONSHIPS = """
MATCH (a)-[r]->(b) WHERE NOT (a:ReferenceData AND b:ReferenceData) AND NOT a:SchemaMigration AND NOT b:SchemaMigration
RETURN elementId(a) AS start, type(r) AS type, properties(r) AS props, elementId(b) AS end
"""

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX = re.compile(r"[0-9a-f]{16,}")
_SHARD = re.compile(r"^(escrow|provider)(:\d+)?$")
#: The property that names a node of each label, for references to it.
_NAMES = {"Person": "displayName", "Organization": "displayName", "Post": "text", "Comment": "text",
          "Listing": "title", "Community": "name", "Contact": "value"}  # fmt: skip


def _name(labels: list[str], props: dict[str, Any]) -> str:
    for label in sorted(labels):
        if label in _NAMES and props.get(_NAMES[label]) is not None:
            return f"{label}:{props[_NAMES[label]]}"
    return "<uuid>"


class _Projector:
    def __init__(self, nodes: list[Any]) -> None:
        self.names = {n["props"]["id"]: _name(n["labels"], n["props"]) for n in nodes if "id" in n["props"]}

    def value(self, value: Any) -> Any:
        if isinstance(value, DateTime):
            return "<time>"
        if isinstance(value, Date):
            return value.iso_format()
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, str):
            if value.startswith("$argon2"):
                return "<argon2>"
            text = _UUID.sub(lambda m: self.names.get(m.group(0), "<uuid>"), value)
            text = _HEX.sub("<hex>", text)
            return "<shard>:" + _SHARD.sub(r"\1", text) if _SHARD.match(text) else text
        return value

    def props(self, props: dict[str, Any], *, leave_out: frozenset[str] = frozenset()) -> dict[str, Any]:
        return {k: self.value(v) for k, v in sorted(props.items()) if k not in leave_out}


def _shard_sides(props: dict[str, Any]) -> frozenset[str]:
    """A ledger entry's per-wallet numbering and balances on the side of a platform shard."""
    out = set()
    for side in ("debit", "credit"):
        if isinstance(props.get(f"{side}Wallet"), str) and _SHARD.match(props[f"{side}Wallet"]):
            out |= {f"{side}Seq", f"{side}BalanceAfter"}
    return frozenset(out)


async def canonical_projection(tx: AsyncManagedTransaction) -> dict[str, Counter[str]]:
    """{"nodes": multiset, "relationships": multiset} of JSON texts (see the module's docstring)."""
    nodes = await run(tx, NODES)
    relationships = await run(tx, RELATIONSHIPS)
    projector = _Projector(nodes)
    shown: dict[str, str] = {}
    node_texts: Counter[str] = Counter()
    platform_balances: Counter[str] = Counter()
    for n in nodes:
        props, labels = n["props"], sorted(n["labels"])
        if "ReferenceData" in labels:
            shown[n["key"]] = json.dumps([labels, props.get("id")], ensure_ascii=False)
            continue
        if "Wallet" in labels and _SHARD.match(str(props.get("id"))):
            kind = _SHARD.sub(r"\1", props["id"])
            platform_balances[kind] += props.get("balance", 0)
            shown[n["key"]] = json.dumps([labels, f"<shard>:{kind}"])
            continue
        leave_out = frozenset({"id"}) | (_shard_sides(props) if "LedgerEntry" in labels else frozenset())
        text = json.dumps([labels, projector.props(props, leave_out=leave_out)], ensure_ascii=False, sort_keys=True)
        shown[n["key"]] = text
        node_texts[text] += 1
    for kind, balance in platform_balances.items():
        node_texts[json.dumps(["platform wallets", kind, balance])] += 1
    relationship_texts: Counter[str] = Counter(
        json.dumps(
            [shown[r["start"]], r["type"], projector.props(r["props"]), shown[r["end"]]],
            ensure_ascii=False,
            sort_keys=True,
        )
        for r in relationships
    )
    return {"nodes": node_texts, "relationships": relationship_texts}


def differences(first: dict[str, Counter[str]], second: dict[str, Counter[str]]) -> list[str]:
    """What one projection has that the other has not (empty when they are the same), for a readable failure."""
    out = []
    for part in ("nodes", "relationships"):
        out += [f"{part} only in the first: {t} x{n}" for t, n in (first[part] - second[part]).items()]
        out += [f"{part} only in the second: {t} x{n}" for t, n in (second[part] - first[part]).items()]
    return out
