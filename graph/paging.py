"""Keyset lists read either way: one query text, written once in display order, run forwards or backwards.

A list query bounds its rows by the page's ``Window`` in display order and orders them with direction tokens::

    WHERE ($after IS NULL OR [p.createdAt, p.id] < [datetime($after[0]), $after[1]])
      AND ($before IS NULL OR [p.createdAt, p.id] > [datetime($before[0]), $before[1]])
    ORDER BY p.createdAt {DESC}, p.id {DESC} LIMIT $limit

``both_ways`` turns ``{DESC}``/``{ASC}`` into the display order for forward pages and into the opposite order for
backward pages (``last``/``before``), so the ``$limit`` rows read are the ones next to the cursor;
``core.pagination.PageRequest.page`` then shows them in display order. The tokens are the only text substituted:
keywords from this fixed pair, never a value.
"""

from __future__ import annotations

from typing import NamedTuple

_FORWARD = {"{DESC}": "DESC", "{ASC}": "ASC"}
_BACKWARD = {"{DESC}": "ASC", "{ASC}": "DESC"}


class BothWays(NamedTuple):
    """A list query in its two reading orders; ``of(window.backwards)`` picks one."""

    forwards: str
    backwards: str

    def of(self, backwards: bool) -> str:
        return self.backwards if backwards else self.forwards


def _orient(query: str, tokens: dict[str, str]) -> str:
    for token, keyword in tokens.items():
        query = query.replace(token, keyword)
    return query


def both_ways(query: str) -> BothWays:
    """``query`` (display order written with ``{DESC}``/``{ASC}``) read forwards and backwards."""
    assert "{DESC}" in query or "{ASC}" in query, "a list query orders its rows with {DESC}/{ASC} tokens"
    return BothWays(_orient(query, _FORWARD), _orient(query, _BACKWARD))


#: The page of a *positional* list (search results ranked by score, cursors holding positions) once its ids are
#: collected in rank order as ``ranked``: binds ``start`` and ``finish`` so that ``ranked[start..finish]`` holds, in
#: display order, forwards the ``$size + 1`` ids after position ``$after`` (up to ``$before``), backwards the
#: ``$size + 1`` ids before position ``$before`` (or before the end; not before ``$after``). The extra id tells
#: whether more lie beyond (``core.pagination.PageRequest.ranked_page``). Parameters: ``$after``, ``$before`` (positions
#: or null), ``$size``, ``$backwards``.
POSITIONAL_SLICE = """
WITH ranked,
     CASE WHEN $after IS NULL THEN 0 ELSE $after + 1 END AS low,
     CASE WHEN $before IS NULL OR $before > size(ranked) THEN size(ranked) ELSE $before END AS high
WITH ranked, low, high,
     CASE WHEN $backwards AND high - $size - 1 > low THEN high - $size - 1 ELSE low END AS start
WITH ranked, start,
     CASE WHEN NOT $backwards AND start + $size + 1 < high THEN start + $size + 1 ELSE high END AS finish
"""
