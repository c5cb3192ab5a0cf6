"""Two bench runs side by side: ``python -m bench.compare A.json B.json`` (A: before, B: after).

For each operation and concurrency present in both: p50 and p95 of A and B and B/A, throughput of A and B and B/A,
each run's ratio to its own floor (the fair figure when the machine was busier in one run than in the other: the
floor was measured at the same moments), and statements per request. The header says what differs between the runs
(code, machine, graph size, Neo4j, settings), since a comparison across machines or graphs is not one.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bench import results


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    return (f"{value:.2f}" if value < 100 else f"{value:.0f}") + unit


def _div(b: float | None, a: float | None) -> float | None:
    return b / a if a and b else None


def _stmts(summary: dict[str, Any] | None) -> str:
    if not summary:
        return "n/a"
    return str(summary["min"]) if summary["min"] == summary["max"] else f"{summary['min']}-{summary['max']}"


def describe(meta: dict[str, Any]) -> str:
    code = meta["code"]
    machine = meta["machine"]
    return (
        f"{code['short']}{' (dirty)' if code.get('dirty') else ''} [{code.get('branch')}] {meta['started']}"
        f"{' ' + repr(meta['label']) if meta.get('label') else ''}{' QUICK' if meta.get('quick') else ''}: "
        f"{meta['graph']['people']} people, {machine['cpu_count']} x {machine['cpu_model']}, "
        f"load {machine.get('load_average')}"
    )


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """What differs between the runs besides the code."""
    found = []
    for label, path in (
        ("machine", ("machine", "cpu_model")),
        ("CPUs", ("machine", "cpu_count")),
        ("people", ("graph", "people")),
        ("connections", ("graph", "connections")),
        ("posts", ("graph", "posts")),
        ("Neo4j", ("neo4j", "version")),
        ("server Python", ("server", "python")),
        ("server driver", ("server", "neo4j_driver")),
        ("rust ext", ("server", "neo4j_rust_ext")),
        ("settings", ("settings",)),
    ):
        values = []
        for meta in (a, b):
            value: Any = meta
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            values.append(value)
        if values[0] != values[1]:
            found.append(f"{label}: {values[0]} -> {values[1]}")
    return found


HEADER = (
    f"{'operation':<38} {'c':>2}  {'p50 A':>7} {'p50 B':>7} {'B/A':>6}  {'p95 A':>7} {'p95 B':>7} {'B/A':>6}  "
    f"{'rps A':>6} {'rps B':>6} {'B/A':>6}  {'floor x A':>9} {'floor x B':>9}  {'stmts A>B':>9}"
)


def compare(a: dict[str, Any], b: dict[str, Any]) -> str:
    lines = [f"A: {describe(a['meta'])}", f"B: {describe(b['meta'])}"]
    for difference in differences(a["meta"], b["meta"]):
        lines.append(f"  differs: {difference}")
    lines += ["ms; B/A < 1 is faster for p50/p95, > 1 is more for rps; floor x = the run's API p50 / its floor p50", ""]
    lines += [HEADER, "-" * len(HEADER)]
    index_b = {(r["operation"], r["concurrency"]): r for r in b["rows"]}
    seen = set()
    for ra in a["rows"]:
        key = (ra["operation"], ra["concurrency"])
        rb = index_b.get(key)
        if rb is None:
            lines.append(f"{ra['title'][:38]:<38} {ra['concurrency']:>2}  only in A")
            continue
        seen.add(key)
        pa, pb = ra["api"], rb["api"]
        lines.append(
            f"{ra['title'][:38]:<38} {ra['concurrency']:>2}  {_fmt(pa['p50']):>7} {_fmt(pb['p50']):>7} "
            f"{_fmt(_div(pb['p50'], pa['p50']), 'x'):>6}  {_fmt(pa['p95']):>7} {_fmt(pb['p95']):>7} "
            f"{_fmt(_div(pb['p95'], pa['p95']), 'x'):>6}  {_fmt(pa['rps']):>6} {_fmt(pb['rps']):>6} "
            f"{_fmt(_div(pb['rps'], pa['rps']), 'x'):>6}  {_fmt(ra['ratio_p50'], 'x'):>9} {_fmt(rb['ratio_p50'], 'x'):>9}  "
            f"{_stmts(ra['statements']) + '>' + _stmts(rb['statements']):>9}"
        )
    for rb in b["rows"]:
        if (rb["operation"], rb["concurrency"]) not in seen:
            lines.append(f"{rb['title'][:38]:<38} {rb['concurrency']:>2}  only in B")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    parser.add_argument("before", help="result file A (var/bench/*.json)")
    parser.add_argument("after", help="result file B")
    args = parser.parse_args(argv)
    try:
        a, b = results.load(args.before), results.load(args.after)
    except (OSError, ValueError) as exc:
        print(f"compare: {exc}", file=sys.stderr)
        return 2
    print(compare(a, b))
    return 0


if __name__ == "__main__":
    sys.exit(main())
