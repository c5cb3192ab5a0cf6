"""``hanoismart``: the one command-line entry point (serve, migrate, neo4j, schema, docs, reconcile, and for
development seed and dev).

Each command imports the layers it needs when it runs (ruff's PLC0415 is off for this file, see pyproject.toml):
the app, the schema and the driver take seconds to import, and ``hanoismart --help`` or ``neo4j status`` need
none of them.
"""

from __future__ import annotations

import asyncio
import base64
import signal
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
import uvicorn

from auth.permissions import permission_table
from core.errors import AppError, error_code_tables
from core.logs import configure_logging
from core.runtime import Runtime
from core.settings import REPO_ROOT, get_settings
from partners.scopes import scope_table
from webhooks.events import event_table

T = TypeVar("T")

app = typer.Typer(
    help="HanoiSmart: the identity-based social graph of Hà Nội, as a GraphQL API over Neo4j.",
    no_args_is_help=True,
    add_completion=False,
)
neo4j_app = typer.Typer(help="The local Neo4j server (used when NEO4J_URI is not set).", no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")
admin_app = typer.Typer(help="Granted roles: the first administrator is made here.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")
keys_app = typer.Typer(help="Access-token signing keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
dev_app = typer.Typer(
    help="Development helpers: the one-time codes sent, raising a person's verification level. Refused in production.",
    no_args_is_help=True,
)
app.add_typer(dev_app, name="dev")

SCHEMA_FILE = REPO_ROOT / "schema.graphql"
#: The documents that carry the permission table, between PERMISSIONS_START and PERMISSIONS_END.
PERMISSION_DOCS = (REPO_ROOT / "README.md", REPO_ROOT / "docs" / "architecture.md")
PERMISSIONS_START = "<!-- permissions:start -->"
PERMISSIONS_END = "<!-- permissions:end -->"
#: The documents that carry the two error-code tables (core.errors), between ERRORS_START and ERRORS_END.
ERROR_DOCS = (REPO_ROOT / "README.md", REPO_ROOT / "docs" / "app-developers.md")
ERRORS_START = "<!-- error-codes:start -->"
ERRORS_END = "<!-- error-codes:end -->"
#: The documents that carry the OAuth scope table (partners.scopes), between SCOPES_START and SCOPES_END.
SCOPE_DOCS = (REPO_ROOT / "docs" / "partners.md",)
SCOPES_START = "<!-- scopes:start -->"
SCOPES_END = "<!-- scopes:end -->"
#: The documents that carry the webhook event table (webhooks.events), between EVENTS_START and EVENTS_END.
EVENT_DOCS = (REPO_ROOT / "docs" / "webhooks.md",)
EVENTS_START = "<!-- events:start -->"
EVENTS_END = "<!-- events:end -->"
#: What ``hanoismart docs`` writes into a guide that does not exist yet (docs/app-developers.md).
NEW_GUIDE = f"""# Building an app on HanoiSmart

## Error codes

{ERRORS_START}
{ERRORS_END}
"""


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Listen address (default from HANOISMART_HOST)."),
    port: int | None = typer.Option(None, help="Listen port (default from HANOISMART_PORT)."),
) -> None:
    """Start the local Neo4j if needed, apply migrations, and serve the API with GraphiQL."""
    from api.app import create_app
    from graph.local_neo4j import LocalNeo4j, Neo4jStartError

    settings = get_settings()
    configure_logging(settings)
    # Until uvicorn installs its own handlers, SIGTERM unwinds through the `finally` below (the default action
    # would kill us and leave the JVM, started in a session of its own, running). uvicorn restores this
    # handler when it stops and re-raises the signal it caught, which then ends up here too.
    previous_sigterm = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    owned = None
    try:
        if settings.uses_local_neo4j:
            local = LocalNeo4j.for_development(settings)
            # The Neo4j this command starts is ours: reaped and restarted if it dies, stopped when we stop
            # (by the app's shutdown, and by the `finally` below if we stop before or after uvicorn runs).
            owned = local if local.running_pid() is None else None
            try:
                local.start()
            except Neo4jStartError as exc:
                _fail(str(exc))
        if owned is not None:
            owned.supervise()
        typer.secho(
            f"GraphiQL: http://{host or settings.host}:{port or settings.port}/graphql", fg=typer.colors.GREEN, err=True
        )
        uvicorn.run(
            create_app(settings, on_shutdown=owned.stop if owned is not None else None),
            host=host or settings.host,
            port=port or settings.port,
            log_config=None,
            proxy_headers=False,
            server_header=False,
        )
    finally:
        if owned is not None:
            owned.stop()
        signal.signal(signal.SIGTERM, previous_sigterm)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """Exit as a SIGTERM would (status 143), through ``finally`` blocks; a second SIGTERM does not cut
    the cleanup short."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(128 + signum)


@app.command()
def migrate() -> None:
    """Apply pending migrations to the configured Neo4j (local one must be running)."""
    from graph.driver import Graph
    from graph.local_neo4j import Neo4jStartError, connection_target
    from graph.migrations import apply_migrations

    settings = get_settings()
    configure_logging(settings)

    async def run() -> list[int]:
        uri, password = connection_target(settings)
        graph = Graph.connect(settings, uri=uri, password=password)
        try:
            return await apply_migrations(graph)
        finally:
            await graph.close()

    try:
        applied = asyncio.run(run())
    except Neo4jStartError as exc:
        _fail(str(exc))
    typer.echo(f"applied migrations: {applied}" if applied else "migrations: up to date")


def _with_runtime(work: Callable[[Runtime], Awaitable[T]]) -> T:
    """Run ``work(runtime)`` against the configured Neo4j, as the API would."""
    from api.app import build_runtime
    from graph.driver import Graph
    from graph.local_neo4j import connection_target

    settings = get_settings()
    configure_logging(settings)

    async def run() -> T:
        uri, password = connection_target(settings)
        graph = Graph.connect(settings, uri=uri, password=password)
        try:
            return await work(build_runtime(settings, graph))
        finally:
            await graph.close()

    return asyncio.run(run())


@admin_app.command("grant")
def admin_grant(
    person_id: str = typer.Argument(..., help="UUID or global id of a registered person (see `me { id }`)."),
    role: str = typer.Option("administrator", help="administrator or officer."),
    revoke: bool = typer.Option(False, help="Take the role away instead."),
) -> None:
    """Grant (or revoke) a granted role; this is how the first administrator is made."""
    from identity.city_roles import set_granted_role

    target = person_id
    if "-" not in person_id:
        try:
            target = base64.b64decode(person_id).decode().split(":", 1)[1]
        except (ValueError, IndexError):
            _fail("Pass the person's UUID or the global id the API returned.")
    try:
        _with_runtime(lambda rt: set_granted_role(rt, target, role, grant=not revoke))
    except AppError as exc:
        _fail(exc.message)
    typer.echo(f"{'revoked' if revoke else 'granted'} {role} {'from' if revoke else 'to'} {target}")


@app.command()
def reconcile(
    older_than: float | None = typer.Option(
        None, help="Seconds a payment must have been pending (default from HANOISMART_PAYMENT_RECONCILE_AFTER_SECONDS)."
    ),
) -> None:
    """Settle or fail top-ups and payouts a crash left pending (asking the provider), and purge expired
    idempotency keys: the pass the API also runs at start and every HANOISMART_PAYMENT_RECONCILE_INTERVAL_SECONDS."""
    from marketplace import idempotency, reconciliation

    async def work(rt: Runtime) -> tuple[reconciliation.ReconcileReport, int]:
        report = await reconciliation.reconcile(rt, older_than_seconds=older_than)
        purged = await idempotency.purge_expired(
            rt.graph,
            retention_seconds=rt.settings.idempotency_key_retention_seconds,
            batch=rt.settings.idempotency_purge_batch,
            max_batches=1000,
        )
        return report, purged

    report, purged = _with_runtime(work)
    typer.echo(
        f"settled {report.settled}, failed {report.failed}, still pending {report.pending}; "
        f"expired idempotency keys purged: {purged}"
    )


def _refuse_in_production(what: str) -> None:
    """Development commands stop here, before connecting to anything, in production."""
    from sandbox.guard import SandboxRefused, require_development

    try:
        require_development(get_settings(), what)
    except SandboxRefused as exc:
        _fail(str(exc))


@app.command()
def seed(
    demo: bool = typer.Option(
        False, "--demo", help="Write the demo data set (a few people, made through the services)."
    ),
    people: int | None = typer.Option(
        None, "--people", min=10, help="Write a synthetic city of this many people instead (batched, minutes for 100k)."
    ),
    seed_number: int = typer.Option(
        1, "--seed", help="With --people: the seed; the same seed and size give the same city."
    ),
    force: bool = typer.Option(
        False,
        "--force",
        help="On a database that holds other data: DELETE it all first (migrations and reference data stay).",
    ),
    resume: bool = typer.Option(
        False,
        "--resume",
        help="With --people: continue an interrupted city of the same --seed and --people (its batches already "
        "written are skipped).",
    ),
) -> None:
    """Development only: fill an empty database with the demo data (residents of several wards, connections, posts,
    an officer, an organisation with listings, completed orders) and print the demo accounts and their password; or,
    with --people N, a synthetic city of N people (see sandbox/city.py) and a few of its people to sign in as."""
    if demo == (people is not None):
        _fail("Say which data to seed: `hanoismart seed --demo` or `hanoismart seed --people N [--seed S]`.")
    if people is not None:
        _seed_city(people, seed_number, force=force, resume=resume)
        return
    if resume:
        _fail("--resume continues a city (--people N); the demo is small: use --force to write it again.")
    _refuse_in_production("hanoismart seed --demo")
    from graph.migrations import apply_migrations
    from sandbox.demo import DemoReport, seed_demo
    from sandbox.guard import SandboxRefused

    async def work(rt: Runtime) -> DemoReport:
        await apply_migrations(rt.graph)
        return await seed_demo(rt, force=force)

    try:
        report = _with_runtime(work)
    except SandboxRefused as exc:
        _fail(str(exc))
    except AppError as exc:
        _fail(f"The demo data could not be written: {exc.message} (what was written stays; rerun with --force).")
    if report.wiped:
        typer.echo(f"deleted {report.wiped} nodes of other data first (--force)")
    typer.echo("demo data written: " + ", ".join(f"{what}: {count}" for what, count in report.counts.items()))
    typer.secho(
        f"\nEvery demo account's password: {report.accounts[0].password}\n"
        "(published with the code: development data only)\n",
        fg=typer.colors.YELLOW,
    )
    for account in report.accounts:
        typer.secho(account.name, bold=True)
        typer.echo(f"  {account.what}")
        typer.echo(f"  sign in with: {'  |  '.join(account.identifiers)}")
        typer.echo(f"  id: {account.global_id}")
    for organization in report.organizations:
        typer.secho(organization.name, bold=True)
        typer.echo(f"  {organization.what}")
        typer.echo(f"  id: {organization.global_id}")


def _seed_city(people: int, seed_number: int, *, force: bool, resume: bool) -> None:
    """``seed --people N``: the synthetic city, with a progress bar (rows written, rate, ETA) and what to sign in with."""
    _refuse_in_production("hanoismart seed --people")
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from graph.migrations import apply_migrations
    from sandbox.city import CITY_PASSWORD, City, CityReport, seed_city
    from sandbox.demo import global_id
    from sandbox.guard import SandboxRefused

    bar = Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>9} rows/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )

    def progress(city: City) -> Callable[[str, int], None]:
        total = sum(len(s.rows) for s in city.steps)
        typer.echo(f"city of {people} people, seed {seed_number}: {total} rows to write in {len(city.steps)} steps")
        task = bar.add_task("people", total=total, rate="-")
        bar.start()

        def tick(label: str, rows: int) -> None:
            done = bar.tasks[0].completed + rows
            elapsed = bar.tasks[0].elapsed or 0
            bar.update(task, advance=rows, description=label, rate=f"{done / elapsed:,.0f}" if elapsed else "-")

        return tick

    async def work(rt: Runtime) -> CityReport:
        await apply_migrations(rt.graph)
        return await seed_city(rt, people=people, seed=seed_number, force=force, resume=resume, progress=progress)

    try:
        report = _with_runtime(work)
    except SandboxRefused as exc:
        bar.stop()
        _fail(str(exc))
    except KeyboardInterrupt:
        bar.stop()
        _fail(f"Interrupted: continue with `hanoismart seed --people {people} --seed {seed_number} --resume`.")
    bar.stop()
    if report.wiped:
        typer.echo(f"deleted {report.wiped} nodes of other data first (--force)")
    rate = report.written / report.seconds if report.seconds else 0
    typer.echo(
        f"written {report.written} rows in {report.seconds:.1f} s ({rate:,.0f} rows/s)"
        + (f"; {report.skipped} already there (--resume)" if report.skipped else "")
    )
    typer.echo("city: " + ", ".join(f"{what}: {count}" for what, count in report.city.counts.items()))
    typer.echo("seconds per step: " + ", ".join(f"{s}: {t:.1f}" for s, t in report.step_seconds.items()))
    typer.secho(
        f"\nEvery person's password: {CITY_PASSWORD}\n(published with the code: development data only)\n"
        "Sign in with the citizen ID printed below, or with a person's e-mail (level 1 and 2; every e-mail is\n"
        "<given>.<family>.<n>@example.vn, readable in the graph: MATCH (p:Person)-[:HAS_CONTACT]->(c:Contact\n"
        "{kind: 'email'}) WHERE c.verifiedAt IS NOT NULL RETURN p.id, c.value)\n",
        fg=typer.colors.YELLOW,
    )
    for sample in report.city.samples:
        typer.secho(sample.name, bold=True)
        typer.echo(
            f"  level {sample.level}, {sample.ward}, {sample.connections} connections, {sample.posts} posts"
            + ("; city officer" if sample is report.city.samples[0] else "")
        )
        typer.echo(f"  sign in with: {sample.cccd}" + (f"  |  {sample.email}" if sample.level >= 1 else ""))
        typer.echo(f"  id: {global_id('Person', sample.id)}")


@dev_app.command("codes")
def dev_codes(
    to: str | None = typer.Option(None, "--to", help="Only messages to this phone number or e-mail address."),
    last: int = typer.Option(10, "--last", min=1, help="How many messages, newest first."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line instead of text."),
) -> None:
    """The one-time codes (and other messages) a development server "sent", newest first, from the development
    outbox file under var/. Nothing leaves a development server: this is how you read them."""
    import json

    from core.errors import UserInputError
    from sandbox.codes import sent_messages

    _refuse_in_production("hanoismart dev codes")
    settings = get_settings()
    try:
        found = sent_messages(settings, to=to, limit=last)
    except UserInputError as exc:
        _fail(f"--to: {exc.message}")
    if not found:
        typer.echo(f"no message {'to ' + to + ' ' if to else ''}in {settings.var_dir / 'dev-outbox.jsonl'}")
        return
    for message in found:
        if as_json:
            item = {
                "channel": message.channel,
                "to": message.to,
                "code": message.code,
                "sentAt": message.sent_at.isoformat(),
                "text": message.text,
            }
            typer.echo(json.dumps(item, ensure_ascii=False))
        else:
            code = f"code {message.code}" if message.code else "no code"
            typer.echo(f"{message.sent_at:%Y-%m-%d %H:%M:%S}Z  {message.channel:5}  {message.to}  {code}")
            typer.echo(f"    {message.text}")


@dev_app.command("verify")
def dev_verify(
    person: str = typer.Argument(..., help="The person: UUID, global id, e-mail or phone number."),
    level: int = typer.Option(
        ..., "--level", min=1, max=2, help="1: prove their phone and e-mail; 2: officer-approved."
    ),
    officer: str | None = typer.Option(
        None, help="Level 2: the officer who approves (id, e-mail or phone); default: the only officer there is."
    ),
) -> None:
    """Raise a person's verification level as the person and a city officer would, through the identity services
    (level 2 is an approved verification request recording the officer, the time and this command)."""
    _refuse_in_production("hanoismart dev verify")
    from sandbox.guard import SandboxRefused
    from sandbox.verify import LevelChange, raise_level

    async def work(rt: Runtime) -> LevelChange:
        return await raise_level(rt, person, level, officer=officer)

    try:
        change = _with_runtime(work)
    except SandboxRefused as exc:
        _fail(str(exc))
    except AppError as exc:
        _fail(exc.message)
    who = f"{change.person.display_name} ({change.person.id})"
    if change.after == change.before:
        typer.echo(f"{who} is at level {change.before} already")
    elif change.officer is not None:
        typer.echo(f"{who}: level {change.before} -> {change.after}, approved by {change.officer.display_name}")
    else:
        typer.echo(f"{who}: level {change.before} -> {change.after}, proved {', '.join(change.contacts)}")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Start signing with a new key; the old public key stays in the JWKS until its tokens expire.
    Restart running API processes afterwards so they load the new key."""
    from auth.tokens import KeyRing

    settings = get_settings()
    ring = KeyRing.load_or_create(
        settings.keys_dir or settings.var_dir / "keys", access_ttl=timedelta(seconds=settings.access_token_ttl_seconds)
    )
    typer.echo(f"new signing key: {ring.rotate()}")


@app.command()
def schema(
    check: bool = typer.Option(False, help="Do not write; exit 1 if schema.graphql differs from the live schema."),
    check_contract: bool = typer.Option(
        False,
        "--check-contract",
        help="Do not write; exit 1 if schema.graphql differs from the live schema or if a breaking change of it "
        "since the contract baseline (api/contract.py BASELINE) is not named in CHANGELOG.md.",
    ),
    breaking_changes: bool = typer.Option(
        False,
        "--breaking-changes",
        help="Do not write; print every breaking change since the contract baseline as a changelog line.",
    ),
    output: Annotated[Path, typer.Option(help="Where to write the SDL.")] = SCHEMA_FILE,
) -> None:
    """Write the GraphQL schema (SDL) to schema.graphql at the repository root."""
    if breaking_changes:
        _print_breaking_changes()
        return
    from schema.assemble import build_schema

    sdl = build_schema(get_settings()).as_str() + "\n"
    if check or check_contract:
        if not output.exists() or output.read_text() != sdl:
            _fail(f"{output} is out of date: run `hanoismart schema` and commit it.")
        typer.echo(f"{output} is up to date")
        if check_contract:
            _check_contract()
        return
    output.write_text(sdl)
    typer.echo(f"wrote {output}")


def _check_contract() -> None:
    """Refuse a breaking change of schema.graphql that CHANGELOG.md does not name (api/contract.py)."""
    from api import contract

    report = contract.check(REPO_ROOT)
    typer.echo(f"schema contract: every change of {contract.SCHEMA_FILE} since {contract.BASELINE[:7]}")
    for line in report.checked:
        typer.echo(f"  checked {line}")
    for line in report.notes:
        typer.secho(f"  note: {line}", fg=typer.colors.YELLOW)
    for line in report.problems:
        typer.secho(f"  refused: {line}", fg=typer.colors.RED, err=True)
    if report.missing:
        typer.secho(
            f"refused: {len(report.missing)} breaking change(s) not named in {contract.CHANGELOG_FILE}; "
            "name each coordinate in backticks, e.g. add these lines under your section's marker:",
            fg=typer.colors.RED,
            err=True,
        )
        for line in report.missing_lines():
            typer.echo(line, err=True)
    if not report.ok:
        raise typer.Exit(1)
    typer.echo(f"schema contract: {len(report.breaks)} breaking change(s), each named in {contract.CHANGELOG_FILE}")


def _print_breaking_changes() -> None:
    from api import contract

    report = contract.check(REPO_ROOT)
    for line in report.notes + report.problems:
        typer.secho(f"# {line}", fg=typer.colors.YELLOW, err=True)
    for line in contract.changelog_lines(report.breaks):
        typer.echo(line)
    typer.echo(
        f"# {len(report.breaks)} breaking change(s) since {contract.BASELINE[:7]}, {len(report.missing)} not named yet",
        err=True,
    )
    if report.problems:
        raise typer.Exit(1)


def with_block(text: str, start_marker: str, end_marker: str, block: str) -> str:
    """``text`` with ``block`` between its markers (ValueError when it has none)."""
    start, end = text.find(start_marker), text.find(end_marker)
    if start < 0 or end < start:
        raise ValueError(f"no {start_marker} ... {end_marker} markers")
    return f"{text[: start + len(start_marker)]}\n{block}{text[end:]}"


def with_permission_table(text: str, table: str) -> str:
    """``text`` with ``table`` between its permission markers (ValueError when it has none)."""
    return with_block(text, PERMISSIONS_START, PERMISSIONS_END, table)


def with_error_tables(text: str, tables: str) -> str:
    """``text`` with ``tables`` between its error-code markers (ValueError when it has none)."""
    return with_block(text, ERRORS_START, ERRORS_END, tables)


def with_scope_table(text: str, table: str) -> str:
    """``text`` with ``table`` between its scope markers (ValueError when it has none)."""
    return with_block(text, SCOPES_START, SCOPES_END, table)


@app.command()
def docs(
    check: bool = typer.Option(False, help="Do not write; exit 1 if a generated table is not the one of the code."),
) -> None:
    """Write the permission table (auth/permissions.py) into README.md and docs/architecture.md, and the error-code
    tables (core/errors.py) into README.md and docs/app-developers.md (created with just its title and the tables
    when it does not exist yet), the OAuth scope table (partners/scopes.py) into docs/partners.md, and the webhook
    event table (webhooks/events.py) into docs/webhooks.md."""
    pages: dict[Path, str] = {}
    for path in dict.fromkeys([*PERMISSION_DOCS, *ERROR_DOCS, *SCOPE_DOCS, *EVENT_DOCS]):
        try:
            pages[path] = path.read_text()
        except FileNotFoundError:
            if path not in ERROR_DOCS or path in PERMISSION_DOCS:
                _fail(f"{path}: it does not exist")
            pages[path] = ""  # a guide still to be written: created below
        except OSError as exc:
            _fail(f"{path}: {exc}")
    stale = []
    for path, current in pages.items():
        wanted = current or NEW_GUIDE
        try:
            if path in PERMISSION_DOCS:
                wanted = with_permission_table(wanted, permission_table())
            if path in ERROR_DOCS:
                wanted = with_error_tables(wanted, error_code_tables())
            if path in SCOPE_DOCS:
                wanted = with_scope_table(wanted, scope_table())
            if path in EVENT_DOCS:
                wanted = with_block(wanted, EVENTS_START, EVENTS_END, event_table())
        except ValueError as exc:
            _fail(f"{path}: {exc}")
        if wanted != current:
            stale.append(path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(wanted)
    if check:
        if stale:
            _fail(f"a generated table is out of date in {', '.join(map(str, stale))}: run `hanoismart docs`.")
        typer.echo("the permission, error-code and scope tables are up to date")
        return
    typer.echo(
        f"wrote the generated tables in {', '.join(map(str, stale))}" if stale else "generated tables: up to date"
    )


@neo4j_app.command("start")
def neo4j_start() -> None:
    """Fetch Neo4j if needed and start it in the background (data under var/neo4j)."""
    from graph.local_neo4j import LocalNeo4j, Neo4jStartError

    settings = get_settings()
    configure_logging(settings)
    local = LocalNeo4j.for_development(settings)
    try:
        local.start()
    except Neo4jStartError as exc:
        _fail(str(exc))
    typer.echo(
        f"Neo4j running: {local.uri} (pid {local.running_pid()}), password in {settings.var_dir / 'neo4j-password'}"
    )


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local Neo4j started from this checkout."""
    from graph.local_neo4j import LocalNeo4j

    settings = get_settings()
    configure_logging(settings)
    local = LocalNeo4j.for_development(settings)
    if local.running_pid() is None:
        typer.echo("Neo4j is not running")
        return
    local.stop()
    typer.echo("Neo4j stopped")


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Say whether the local Neo4j is running (exit 1 when it is not)."""
    from graph.local_neo4j import LocalNeo4j

    settings = get_settings()
    local = LocalNeo4j.for_development(settings)
    pid = local.running_pid()
    if pid is None:
        typer.echo("Neo4j is not running")
        raise typer.Exit(1)
    typer.echo(f"Neo4j running: {local.uri} (pid {pid})")


def main() -> None:
    app(prog_name="hanoismart")


if __name__ == "__main__":
    main()
