"""Test harness: one real Neo4j per test session, a wiped graph per test, an HTTP client on the app.

- Without ``NEO4J_URI`` a throwaway Neo4j is started in a temporary folder on a free port and
  stopped at the end (also on Ctrl-C, through an atexit safety net).
- With ``NEO4J_URI`` (and ``NEO4J_PASSWORD``) that server is used; the suite refuses to run when
  it already holds data, unless ``HANOISMART_TEST_ALLOW_NONEMPTY_DATABASE=1``, because every test
  wipes the graph.
"""

from __future__ import annotations

import atexit
import dataclasses
import os
import shutil
import signal
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

import auth.passwords
from api.app import create_app
from core.settings import Settings
from graph.driver import Graph
from graph.local_neo4j import LocalNeo4j
from graph.migrations import apply_migrations
from tests import support


def _settings_for(uri: str, password: str, var_dir: Path) -> Settings:
    return Settings(
        environment="test",
        neo4j_uri=uri,
        neo4j_password=password,
        var_dir=var_dir,
        log_format="json",
        log_level="INFO",
        neo4j_tx_timeout_seconds=10,
        # Tests build many people from one client address (41 in the market concurrency test); the
        # tests of these limits shorten them again through settings.
        registrations_per_address_per_hour=10_000,
        registrations_per_hour=10_000,
        registration_conflicts_per_address_per_day=10_000,
        password_hash_profile="test",  # still argon2id, ~150x cheaper: most of the suite registers and signs in
        # The session's app counts every test's requests in one storage (most from one client address): the
        # request windows (quotas.requests) are out of reach; tests/partners/test_rate_limits.py lowers them.
        rate_limit_app=1_000_000,
        rate_limit_sandbox_app=1_000_000,
        rate_limit_app_person=1_000_000,
        rate_limit_person=1_000_000,
        rate_limit_address=1_000_000,
        # Query-cost budgets (quotas.cost): the suite's anonymous requests all come from one address; a window of one
        # second keeps the in-memory windows short. The tests of the budgets lower them through settings.
        query_cost_budget_anonymous=10_000_000,
        query_cost_budget_person=10_000_000,
        query_cost_budget_app=10_000_000,
        query_cost_budget_sandbox_app=10_000_000,
        query_cost_window_seconds=1,
    )


#: Neo4j replans a cached query once the graph's statistics have moved by 75 % since it was planned (checked at
#: most every 10 s). Every test wipes the graph and builds a few nodes, so the statistics swing all the time and
#: the server re-plans queries it had planned already (a Java profile during a run: ~64 % of the server's samples
#: in the Cypher compiler, first plans included). A plan only decides how fast a query runs on the suite's graphs
#: of a few hundred nodes, never what it returns: the suite's throwaway server keeps the first plan of each query.
KEEP_PLANS = ("dbms.cypher.min_replan_interval=1h", "dbms.cypher.statistics_divergence_threshold=1.0")


def _experiment_jvm() -> tuple[str, ...]:
    """More JVM options for the throwaway server from ``HANOISMART_TEST_NEO4J_JVM`` (``;``-separated): an A/B of its
    JVM (a collector named there replaces G1)."""
    extra = os.environ.get("HANOISMART_TEST_NEO4J_JVM", "")
    return tuple(option.strip() for option in extra.split(";") if option.strip())


def _experiment_config() -> tuple[str, ...]:
    """More ``neo4j.conf`` lines for the throwaway server from ``HANOISMART_TEST_NEO4J_CONFIG`` (``;``-separated), and
    ``HANOISMART_TEST_NEO4J_FAST_START=0`` for a full-JIT JVM: an A/B of the server's configuration without editing
    this file (compare the CPU seconds of the run's ``java`` process)."""
    extra = os.environ.get("HANOISMART_TEST_NEO4J_CONFIG", "")
    return tuple(line.strip() for line in extra.split(";") if line.strip())


def _stop_on_sigterm(server: LocalNeo4j) -> None:
    """A SIGTERM (a CI timeout, ``kill``) ends Python without running atexit: stop the throwaway server first, so
    no orphaned JVM keeps a core busy (its background jobs run on after the suite is gone)."""
    previous = signal.getsignal(signal.SIGTERM)

    def stop_then_die(signum: int, frame: object) -> None:
        server.stop()
        signal.signal(signal.SIGTERM, previous if callable(previous) else signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop_then_die)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that empty Neo4j's plan caches run first: then there is little to empty, and no app of the session runs
    background statements yet (the webhook dispatcher) that they would count. Tests that stop and restart the server
    run last: a restart empties the plan caches and the JIT, and every statement planned before it (several seconds of
    the server's CPU for a large compiled read) would be planned again by the tests after it."""

    def last(item: pytest.Item) -> int:
        """-1 for the tests that empty the plan caches, 1 for those that restart the server, 0 for the rest."""
        return (
            1
            if item.get_closest_marker("restarts_neo4j")
            else -1
            if item.get_closest_marker("empties_plan_cache")
            else 0
        )

    items.sort(key=last)  # stable: order otherwise kept


@pytest.fixture(scope="session")
def neo4j_target() -> Iterator[tuple[str, str, LocalNeo4j | None]]:
    """(uri, password, local server or None) of the Neo4j this session tests against."""
    uri = os.environ.get("NEO4J_URI")
    if uri:
        password = os.environ.get("NEO4J_PASSWORD")
        if not password:
            pytest.exit("NEO4J_URI is set but NEO4J_PASSWORD is not", returncode=2)
        yield uri, password, None
        return
    home = Path(tempfile.mkdtemp(prefix="hanoismart-test-neo4j-"))
    # Jars are cached in the checkout's var/ so a second run does not fetch them again.
    # The server's own transaction timeout (3x this) bounds the launcher's first system query too: on a loaded
    # machine a cold JVM needed more than 30 s for it. The app's timeout stays 10 s (``_settings_for``).
    server = LocalNeo4j.throwaway(
        Settings(environment="test", neo4j_start_timeout_seconds=180, neo4j_tx_timeout_seconds=30), home
    )
    server = dataclasses.replace(
        server,
        extra_config=(*KEEP_PLANS, *_experiment_config()),
        extra_jvm=_experiment_jvm(),
        fast_start=os.environ.get("HANOISMART_TEST_NEO4J_FAST_START", "1") == "1",
    )
    atexit.register(server.stop)  # safety net for an interrupted run; a no-op once stopped
    _stop_on_sigterm(server)
    server.start()
    try:
        yield server.uri, server.password, server
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)  # a throwaway store is ~500 MB: leave nothing behind


@pytest.fixture(scope="session")
def test_settings(neo4j_target, tmp_path_factory) -> Settings:
    uri, password, _ = neo4j_target
    return _settings_for(uri, password, tmp_path_factory.mktemp("var"))


@pytest.fixture(scope="session")
async def graph(test_settings: Settings) -> AsyncIterator[Graph]:
    """The session's driver; migrations applied once, after checking the database is ours."""
    graph = Graph.connect(
        test_settings, uri=test_settings.neo4j_uri, password=test_settings.neo4j_password.get_secret_value()
    )
    foreign = await graph.read(support.count_foreign_nodes)
    if foreign and os.environ.get("HANOISMART_TEST_ALLOW_NONEMPTY_DATABASE") != "1":
        await graph.close()
        pytest.exit(support.refusal_message(foreign), returncode=2)
    await apply_migrations(graph)
    yield graph
    await graph.close()


@pytest.fixture(autouse=True)
def clean_graph(request: pytest.FixtureRequest) -> None:
    """Wipe everything but migration records and reference data before each test that can reach Neo4j.

    A test reaches Neo4j only through the session's server (``neo4j_target``: every fixture that connects depends on
    it, ``test_settings`` included); a test whose fixtures do not include it (pure functions, file and source
    checks: about half of the suite) has nothing to wipe and does not pay a write transaction for it."""
    if "neo4j_target" in request.fixturenames:
        request.getfixturevalue("wiped_graph")


@pytest.fixture
async def wiped_graph(graph: Graph) -> Graph:
    """The session's graph, wiped (``clean_graph`` asks for it before each test that can reach Neo4j)."""
    await graph.write(support.wipe)
    return graph


@pytest.fixture(scope="session")
async def app(test_settings: Settings, graph: Graph):
    application = create_app(test_settings)
    # The lifespan's first statements are planned by a cold server: on a loaded machine that took more than
    # asgi-lifespan's default 5 s, and every test of the session failed at setup.
    async with LifespanManager(application, startup_timeout=60, shutdown_timeout=60):
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the ASGI app, as an anonymous app developer would call it."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        yield http


anon = client


@pytest.fixture
def argon2(monkeypatch) -> support.CountingHasher:
    """The app's argon2 hasher replaced by one that counts what it hashes and verifies."""
    hasher = support.CountingHasher(auth.passwords.HASHER)
    monkeypatch.setattr(auth.passwords, "HASHER", hasher)
    return hasher
