"""Every full-text search takes at most 200 characters and 20 words (Lucene's limits stay out of reach): longer
text is INVALID_INPUT naming the argument, never INTERNAL; Lucene's special characters are plain text."""

from __future__ import annotations

from tests.identity.people import register
from tests.support import error_codes, gql

SEARCHES = {
    "search": "query($q: String!) { actors(search: $q) { edges { cursor } } }",
    "text": "query($q: String!) { postSearch(text: $q) { edges { cursor } } }",
    "communities": "query($q: String) { communities(search: $q) { edges { cursor } } }",
    "filter.search": "query($q: String) { listings(filter: {search: $q}) { edges { cursor } } }",
}
FIELD = {"search": "search", "text": "text", "communities": "search", "filter.search": "filter.search"}


async def test_long_or_wordy_search_text_is_a_clear_error_in_every_search(client):
    me = await register(client)
    for name, document in SEARCHES.items():
        for text in ("a" * 1001, " ".join(["an"] * 1025), "b" * 201, " ".join(["an"] * 21)):
            body = await gql(client, document, {"q": text}, headers=me.auth)
            assert error_codes(body) == ["INVALID_INPUT"], (name, body)
            assert body["errors"][0]["extensions"]["field"] == FIELD[name]
        for text in (
            "c" * 200,
            " ".join(["an"] * 20),
            'a AND (b OR "c*" ~2 title:x \\ / ^ [1 TO 9] && ||',
            "NOT OR AND",
            "Nguyễn Văn An",
        ):
            body = await gql(client, document, {"q": text}, headers=me.auth)
            assert "errors" not in body, (name, text, body)
