"""Figures of a bench run: percentiles, the printed table, machine facts and the JSON file runs are compared by.

A result file (``var/bench/<UTC time>-<commit>.json``) holds ``meta`` (commit of the code under test and whether
its tree was dirty, the bench's own commit, machine, Python, driver, Neo4j, graph size, samples, settings of the
run) and ``rows``: one per operation and concurrency, with ``api`` and ``floor`` each ``{n, errors, p50, p95, p99,
mean, rps}`` (milliseconds, requests per second), ``ratio_p50`` (API p50 / floor p50), ``ratio_rps`` (API rps /
floor rps) and ``statements`` (per request, from the server's counter: min, median, max).
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values (q in 0..100)."""
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


@dataclass
class Side:
    """Latencies (seconds) of one side (api or floor) of one operation at one concurrency, and the wall time of
    the batches they ran in."""

    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    errors: int = 0
    first_error: str | None = None

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        ms = [v * 1000 for v in ordered]
        return {
            "n": len(ms),
            "errors": self.errors,
            "first_error": self.first_error,
            "p50": percentile(ms, 50) if ms else None,
            "p95": percentile(ms, 95) if ms else None,
            "p99": percentile(ms, 99) if ms else None,
            "mean": statistics.fmean(ms) if ms else None,
            "rps": (len(ms) / self.wall) if self.wall > 0 and ms else None,
        }


def statement_summary(counts: list[int]) -> dict[str, Any] | None:
    if not counts:
        return None
    return {"min": min(counts), "median": statistics.median_low(counts), "max": max(counts)}


def row(
    name: str,
    title: str,
    concurrency: int,
    api: Side,
    floor: Side,
    statements: list[int],
    generic: Side | None = None,
) -> dict[str, Any]:
    a, f = api.summary(), floor.summary()
    found = {
        "operation": name,
        "title": title,
        "concurrency": concurrency,
        "api": a,
        "floor": f,
        "ratio_p50": (a["p50"] / f["p50"]) if a["p50"] and f["p50"] else None,
        "ratio_rps": (a["rps"] / f["rps"]) if a["rps"] and f["rps"] else None,
        "statements": statement_summary(statements),
    }
    if generic is not None:
        g = generic.summary()
        found["generic"] = g
        found["generic_ratio_p50"] = (g["p50"] / f["p50"]) if g["p50"] and f["p50"] else None
        found["api_vs_generic_p50"] = (a["p50"] / g["p50"]) if a["p50"] and g["p50"] else None
        found["api_vs_generic_rps"] = (a["rps"] / g["rps"]) if a["rps"] and g["rps"] else None
    return found


# --- machine and code facts ---------------------------------------------------------------------------------------


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def ram_bytes() -> int | None:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return None


def load_average() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def git_facts(folder: Path) -> dict[str, Any]:
    """Commit, branch and dirty flag (tracked files changed) of the checkout in ``folder``."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {
        "path": str(folder),
        "commit": commit,
        "short": commit[:9] if commit else "nocommit",
        "branch": git("rev-parse", "--abbrev-ref", "HEAD"),
        "dirty": bool(status) if status is not None else None,
    }


def machine_facts() -> dict[str, Any]:
    return {
        "host": platform.node(),
        "os": platform.platform(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "ram_bytes": ram_bytes(),
        "load_average": load_average(),
    }


def write(result: dict[str, Any], out_dir: Path, stamp: str, commit: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{stamp}-{commit}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


def load(path: str | Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


# --- the printed table ----------------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "-" if value is None else (f"{value:.2f}" if value < 100 else f"{value:.0f}")


def _num(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _statements(summary: dict[str, Any] | None) -> str:
    if not summary:
        return "n/a"
    if summary["min"] == summary["max"]:
        return str(summary["min"])
    return f"{summary['min']}-{summary['max']}"


TABLE_HEADER = (
    f"{'operation':<40} {'c':>2}  {'API p50':>8} {'p95':>8} {'p99':>8} {'req/s':>7}  "
    f"{'floor p50':>9} {'p95':>8} {'req/s':>7}  {'p50 x':>7} {'rps x':>6}  {'stmts':>5}  {'err':>3}"
)


def table(rows: list[dict[str, Any]], skipped: dict[str, str]) -> str:
    """The table of a run: one line per operation and concurrency (milliseconds; x = API / floor)."""
    lines = [TABLE_HEADER, "-" * len(TABLE_HEADER)]
    for r in rows:
        a, f = r["api"], r["floor"]
        lines.append(
            f"{r['title'][:40]:<40} {r['concurrency']:>2}  {_ms(a['p50']):>8} {_ms(a['p95']):>8} {_ms(a['p99']):>8} "
            f"{_num(a['rps']):>7}  {_ms(f['p50']):>9} {_ms(f['p95']):>8} {_num(f['rps']):>7}  "
            f"{_ratio(r['ratio_p50']):>7} {_ratio(r['ratio_rps']):>6}  {_statements(r['statements']):>5}  "
            f"{a['errors'] + f['errors']:>3}"
        )
    generic = [r for r in rows if "generic" in r]
    if generic:
        header = (
            f"{'same query, generic @neo4j/graphql':<40} {'c':>2}  {'API p50':>8} {'gen p50':>8} {'API/gen':>7}  "
            f"{'API req/s':>9} {'gen req/s':>9} {'API/gen':>7}  {'gen/floor p50':>13}"
        )
        lines += ["", header, "-" * len(header)]
        for r in generic:
            a, g = r["api"], r["generic"]
            lines.append(
                f"{r['title'][:40]:<40} {r['concurrency']:>2}  {_ms(a['p50']):>8} {_ms(g['p50']):>8} "
                f"{_ratio(r['api_vs_generic_p50']):>7}  {_num(a['rps']):>9} {_num(g['rps']):>9} "
                f"{_ratio(r['api_vs_generic_rps']):>7}  {_ratio(r['generic_ratio_p50']):>13}"
            )
        lines.append("")
    for name, reason in skipped.items():
        lines.append(f"{name:<40} skipped: {reason}")
    return "\n".join(lines)
