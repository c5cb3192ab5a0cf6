"""GraphiQL without a CDN: the page loads only files this API serves, fetched by scripts/fetch_graphiql.py."""

from __future__ import annotations

import importlib.util
import re

import httpx
import pytest
from asgi_lifespan import LifespanManager

from api.app import create_app
from api.graphiql import ASSETS, STATIC_PATH
from core.settings import REPO_ROOT

BROWSER = {"accept": "text/html"}


@pytest.fixture
def serve(test_settings):
    """An HTTP client on an app with the given settings changes."""

    def make(**changes):
        app = create_app(test_settings.model_copy(update=changes))

        class Client:
            async def __aenter__(self):
                self.manager = await LifespanManager(app).__aenter__()
                transport = httpx.ASGITransport(app=self.manager.app)
                self.http = await httpx.AsyncClient(transport=transport, base_url="http://t").__aenter__()
                return self.http

            async def __aexit__(self, *exc):
                await self.http.__aexit__(*exc)
                await self.manager.__aexit__(*exc)

        return Client()

    return make


def with_assets(folder):
    for name in ASSETS:
        (folder / name).write_text(f"/* {name} */")
    (folder / "manifest.json").write_text("{}")
    return folder


async def test_graphiql_loads_only_local_files_and_each_is_served(serve, tmp_path):
    folder = with_assets(tmp_path)
    async with serve(graphiql_assets_dir=folder) as http:
        page = await http.get("/graphql", headers=BROWSER)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "http://" not in page.text and "https://" not in page.text, "no CDN, no other host"
        referenced = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert sorted(referenced) == sorted(f"{STATIC_PATH}/{name}" for name in ASSETS)
        for url in referenced:
            asset = await http.get(url)
            name = url.rsplit("/", 1)[1]
            assert asset.status_code == 200, url
            assert asset.text == (folder / name).read_text()
            assert asset.headers["content-type"] == ASSETS[name]
            assert asset.headers["x-request-id"]
        for other in ("manifest.json", "..%2F..%2Fpyproject.toml", "nothing.js"):
            assert (await http.get(f"{STATIC_PATH}/{other}")).status_code == 404


async def test_graphiql_without_its_files_says_how_to_get_them(serve, tmp_path):
    async with serve(graphiql_assets_dir=tmp_path / "absent") as http:
        page = await http.get("/graphql", headers=BROWSER)
        assert page.status_code == 200
        assert "make graphiql" in page.text and "scripts/fetch_graphiql.py" in page.text
        assert "<script" not in page.text, "nothing that would hang at Loading…"


async def test_graphiql_off_serves_neither_page_nor_files(serve, tmp_path):
    async with serve(graphiql_enabled=False, graphiql_assets_dir=with_assets(tmp_path)) as http:
        assert (await http.get("/graphql", headers=BROWSER)).status_code == 404
        assert (await http.get(f"{STATIC_PATH}/graphiql.min.js")).status_code == 404


def test_the_fetch_script_provides_every_file_the_page_loads():
    spec = importlib.util.spec_from_file_location("fetch_graphiql", REPO_ROOT / "scripts" / "fetch_graphiql.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    provided = {served for *_pins, files in script.PACKAGES for served in files.values()}
    assert set(ASSETS) <= provided
    assert all(integrity.startswith("sha512-") for _name, _version, integrity, _files in script.PACKAGES)
    assert script.DEFAULT_DESTINATION.resolve() == (REPO_ROOT / "var" / "graphiql").resolve()
