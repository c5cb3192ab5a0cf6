"""Hà Nội's 126 wards and communes: counts by kind, search with or without diacritics, paging, lookups."""

from __future__ import annotations

import base64

import pytest

from tests.both_ways import refuses_cursor, walk_both_ways
from tests.support import error_codes, gql

COMMUNES = """
query Communes($search: String, $kind: CommuneKind, $first: Int, $after: String, $last: Int, $before: String) {
  communes(search: $search, kind: $kind, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id code name nameAscii kind fullName province } }
  }
}
"""

COMMUNE = """
query Commune($code: String!) { commune(code: $code) { id code name nameAscii kind fullName province } }
"""

NODE = """
query Node($id: ID!) { node(id: $id) { id ... on Commune { code name kind fullName } } }
"""

HOAN_KIEM = {
    "code": "00070",
    "name": "Hoàn Kiếm",
    "nameAscii": "Hoan Kiem",
    "kind": "WARD",
    "fullName": "Phường Hoàn Kiếm",
    "province": "Hà Nội",
}


async def communes(client, **variables) -> dict:
    body = await gql(client, COMMUNES, variables)
    assert "errors" not in body, body["errors"]
    return body["data"]["communes"]


async def test_hanoi_has_126_units_51_wards_and_75_communes(client):
    assert (await communes(client, first=1))["totalCount"] == 126
    wards = await communes(client, kind="WARD", first=100)
    rural = await communes(client, kind="COMMUNE", first=100)
    assert wards["totalCount"] == 51 and rural["totalCount"] == 75
    assert len(wards["edges"]) == 51 and len(rural["edges"]) == 75
    assert {e["node"]["kind"] for e in wards["edges"]} == {"WARD"}
    assert {e["node"]["kind"] for e in rural["edges"]} == {"COMMUNE"}
    assert all(e["node"]["fullName"].startswith("Phường ") for e in wards["edges"])
    assert all(e["node"]["fullName"].startswith("Xã ") for e in rural["edges"])
    assert {e["node"]["province"] for e in wards["edges"] + rural["edges"]} == {"Hà Nội"}


@pytest.mark.parametrize("search", ["hoan kiem", "Hoàn Kiếm", "HOAN KIEM", "Hoàn"])
async def test_search_finds_hoan_kiem_with_or_without_diacritics(client, search):
    found = await communes(client, search=search, first=100)
    nodes = {e["node"]["code"]: e["node"] for e in found["edges"]}
    assert "00070" in nodes, f"{search!r} should find Hoàn Kiếm, found {sorted(nodes)}"
    assert {k: v for k, v in nodes["00070"].items() if k != "id"} == HOAN_KIEM
    assert found["totalCount"] == len(found["edges"]) < 126, "a search narrows the list"


async def test_search_that_matches_nothing_is_an_empty_page(client):
    found = await communes(client, search="khong co xa nao ten nay", first=10)
    assert found["edges"] == [] and found["totalCount"] == 0
    assert found["pageInfo"]["hasNextPage"] is False


async def test_first_and_after_walk_all_126_once_each_in_code_order(client):
    codes, after, pages = [], None, 0
    while True:
        page = await communes(client, first=25, after=after)
        pages += 1
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        assert len(page["edges"]) <= 25
        codes += [e["node"]["code"] for e in page["edges"]]
        if page["edges"]:
            assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert pages < 10, "paging does not end"
    assert len(codes) == 126 and len(set(codes)) == 126
    assert codes == sorted(codes)
    assert pages == 6  # 25 * 5 + 1


async def test_paging_within_a_kind_keeps_the_filter(client):
    codes, after = [], None
    while True:
        page = await communes(client, kind="WARD", first=20, after=after)
        assert page["totalCount"] == 51
        codes += [e["node"]["code"] for e in page["edges"] if e["node"]["kind"] == "WARD"]
        assert len(codes) == len(set(codes))
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(codes) == 51


async def test_a_page_of_100_is_allowed_but_101_is_refused(client):
    page = await communes(client, first=100)
    assert len(page["edges"]) == 100 and page["pageInfo"]["hasNextPage"] is True
    body = await gql(client, COMMUNES, {"first": 101})
    assert error_codes(body) == ["INVALID_INPUT"]
    assert "100" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"].get("field") == "first"
    assert not (body.get("data") or {}).get("communes")


async def test_a_cursor_that_is_not_ours_is_invalid_input(client):
    body = await gql(client, COMMUNES, {"first": 5, "after": "not a cursor!"})
    assert error_codes(body) == ["INVALID_INPUT"]
    assert body["errors"][0]["extensions"].get("field") == "after"


async def test_commune_by_code(client):
    found = (await gql(client, COMMUNE, {"code": "00070"}))["data"]["commune"]
    assert {k: v for k, v in found.items() if k != "id"} == HOAN_KIEM
    ba_dinh = (await gql(client, COMMUNE, {"code": "00004"}))["data"]["commune"]
    assert ba_dinh["name"] == "Ba Đình" and ba_dinh["nameAscii"] == "Ba Dinh" and ba_dinh["kind"] == "WARD"


@pytest.mark.parametrize("code", ["99999", "00000", "70", "hoan kiem", ""])
async def test_an_unknown_code_gives_null(client, code):
    body = await gql(client, COMMUNE, {"code": code})
    assert "errors" not in body, body.get("errors")
    assert body["data"]["commune"] is None


async def test_node_fetches_a_commune_by_its_global_id(client):
    found = (await gql(client, COMMUNE, {"code": "00070"}))["data"]["commune"]
    assert base64.b64decode(found["id"]).decode().startswith("Commune:")
    node = (await gql(client, NODE, {"id": found["id"]}))["data"]["node"]
    assert node == {
        "id": found["id"],
        "code": "00070",
        "name": "Hoàn Kiếm",
        "kind": "WARD",
        "fullName": "Phường Hoàn Kiếm",
    }
    listed = await communes(client, search="hoan kiem", first=5)
    assert found["id"] in [e["node"]["id"] for e in listed["edges"]], "the list and the lookup agree on ids"


async def test_node_with_an_unknown_commune_id_is_null(client):
    unknown = base64.b64encode(b"Commune:00000000-0000-0000-0000-000000000000").decode()
    body = await gql(client, NODE, {"id": unknown})
    assert "errors" not in body, body.get("errors")
    assert body["data"]["node"] is None


MIGRATIONS = """
query Migrations($first: Int, $after: String, $last: Int, $before: String) {
  schemaMigrations(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id number } }
  }
}
"""


async def test_communes_page_both_ways_and_refuse_another_lists_cursor(client):
    codes = await walk_both_ways(
        client, COMMUNES, lambda d: d["communes"], {"kind": "WARD"}, size=10, key=lambda n: n["code"]
    )
    assert len(codes) == 51 and codes == sorted(codes)
    everything = await walk_both_ways(client, COMMUNES, lambda d: d["communes"], size=40, key=lambda n: n["code"])
    assert len(everything) == 126 and everything == sorted(everything)
    found = await walk_both_ways(client, COMMUNES, lambda d: d["communes"], {"search": "hoa"}, key=lambda n: n["code"])
    assert "00070" in found and found == sorted(found)
    migration = (await gql(client, MIGRATIONS, {"first": 1}))["data"]["schemaMigrations"]["edges"][0]["cursor"]
    await refuses_cursor(client, COMMUNES, migration)
