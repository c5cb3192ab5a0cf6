"""A local Neo4j 5.26 LTS Community server for development and tests, without Docker.

Neo4j's jars come from Maven Central (``org.neo4j:neo4j``, which brings the Bolt connector) through
``mvn dependency:copy-dependencies`` into ``var/cache/neo4j-<version>/lib``; a ten-line Java launcher
(``neo4j_server/Launcher.java``, compiled once with ``javac``) starts the embedded
``DatabaseManagementService`` with Bolt on 127.0.0.1. Python starts it, waits until
``verify_connectivity()`` succeeds, and stops it by its PID.

A process that died counts as not running even before anyone reaps it (a zombie: state ``Z`` in
``/proc/PID/stat``), so ``hanoismart neo4j status``/``start`` see a crash at once. ``make serve`` also
watches the server it started (``supervise``): it reaps it when it dies and starts it again. Starting
takes a lock on the folder, so a restart by ``serve`` and a ``hanoismart neo4j start`` from another
terminal never start two servers on one store: the second adopts the first.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable

from core.logs import get_logger
from core.settings import Settings

log = get_logger(__name__)

SERVER_SOURCES = Path(__file__).resolve().parent / "neo4j_server"

#: The JVM flags of the packaged Neo4j 5.26 server (its default neo4j.conf ``server.jvm.additional``).
PACKAGED_JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:FlightRecorderOptions=stackdepth=256",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dlog4j.layout.jsonTemplate.maxStringLength=32768",
]


def _selects_collector(option: str) -> bool:
    """``-XX:+UseG1GC``, ``-XX:+UseSerialGC``...: the JVM refuses two of them on one command line."""
    return option.startswith("-XX:+Use") and option.endswith("GC")


#: What Launcher.java prints once Neo4j is up and its password is set.
READY_MARKER = b"hanoismart-launcher: Neo4j started"


class Neo4jStartError(RuntimeError):
    """The local Neo4j did not come up; the message carries the tail of its log."""


def _require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise Neo4jStartError(
            f"'{name}' is not on PATH; the local Neo4j needs Java 17+ (java, javac) and Maven (mvn). "
            "Install them, or point NEO4J_URI at an existing Neo4j 5.26 server."
        )
    return path


def ensure_distribution(settings: Settings) -> Path:
    """Fetch Neo4j's jars and compile the launcher once; returns the distribution folder."""
    dist = settings.var_dir / "cache" / f"neo4j-{settings.neo4j_version}"
    lib = dist / "lib"
    if not (dist / "lib.complete").exists():
        mvn = _require_tool("mvn")
        staging = dist / "lib.partial"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        log.info("fetching Neo4j from Maven Central", version=settings.neo4j_version, into=str(lib))
        started = time.monotonic()
        completed = subprocess.run(
            [
                mvn,
                "-B",
                "-q",
                "-f",
                str(SERVER_SOURCES / "pom.xml"),
                f"-Dneo4j.version={settings.neo4j_version}",
                "dependency:copy-dependencies",
                f"-DoutputDirectory={staging}",
                "-DincludeScope=runtime",
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise Neo4jStartError(
                "Maven could not fetch Neo4j "
                f"{settings.neo4j_version}:\n{(completed.stdout + completed.stderr)[-3000:]}"
            )
        shutil.rmtree(lib, ignore_errors=True)
        staging.rename(lib)
        (dist / "lib.complete").write_text(settings.neo4j_version)
        log.info("Neo4j fetched", seconds=round(time.monotonic() - started, 1))

    source = SERVER_SOURCES / "Launcher.java"
    source_hash = hashlib.sha256(source.read_bytes()).hexdigest()
    classes = dist / "classes"
    stamp = classes / "Launcher.sha256"
    if not stamp.exists() or stamp.read_text() != source_hash:
        javac = _require_tool("javac")
        shutil.rmtree(classes, ignore_errors=True)
        classes.mkdir(parents=True)
        completed = subprocess.run(
            [javac, "-d", str(classes), "-cp", str(lib / "*"), str(source)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise Neo4jStartError(f"javac failed on the launcher:\n{completed.stderr[-3000:]}")
        stamp.write_text(source_hash)
    return dist


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def load_or_create_password(path: Path) -> str:
    """The local server's password: generated on first start, kept (mode 0600) under var/."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    return password


@dataclass
class LocalNeo4j:
    """One local Neo4j server process: its folder, port and password."""

    settings: Settings
    home: Path
    port: int
    password: str
    heap: str
    pagecache: str
    fast_start: bool = False
    #: More ``neo4j.conf`` lines (``name=value``), after this module's own.
    extra_config: tuple[str, ...] = ()
    #: More JVM options, after this module's own; a collector named here (``-XX:+UseSerialGC``) replaces G1.
    extra_jvm: tuple[str, ...] = ()
    #: The server process when this object started it (None when it adopted one already running).
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    #: Set by ``stop``: the supervisor must not start the server again.
    _stopping: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _supervisor: threading.Thread | None = field(default=None, init=False, repr=False)

    @property
    def uri(self) -> str:
        # One server, no cluster: bolt:// skips the routing-table round trips of neo4j:// (measured: a trivial
        # managed read 1.2 ms instead of 2.7 ms).
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.home / "neo4j.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "launcher.log"

    @property
    def lock_file(self) -> Path:
        return self.home / "start.lock"

    @classmethod
    def for_development(cls, settings: Settings) -> LocalNeo4j:
        """The server of ``make serve``: data kept under var/neo4j, password under var/."""
        return cls(
            settings=settings,
            home=settings.var_dir / "neo4j",
            port=settings.neo4j_bolt_port,
            password=load_or_create_password(settings.var_dir / "neo4j-password"),
            heap=settings.neo4j_heap,
            pagecache=settings.neo4j_pagecache,
            fast_start=settings.neo4j_fast_start,
        )

    @classmethod
    def throwaway(cls, settings: Settings, home: Path) -> LocalNeo4j:
        """A server for a test session: its own folder, a free port, a random password."""
        return cls(
            settings=settings,
            home=home,
            port=free_port(),
            password=secrets.token_urlsafe(24),
            heap="512m",
            pagecache="128m",
            fast_start=True,
        )

    # --- process ----------------------------------------------------------------------------
    def running_pid(self) -> int | None:
        """PID of this folder's server if its process is alive, else None (stale files removed)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        if not _alive(pid):
            self.pid_file.unlink(missing_ok=True)
            return None
        return pid

    def _write_config(self) -> Path:
        config = self.home / "neo4j.conf"
        config.write_text(
            "\n".join(
                [
                    "# Written by graph/local_neo4j.py on every start; edit settings, not this file.",
                    "server.bolt.enabled=true",
                    f"server.bolt.listen_address=127.0.0.1:{self.port}",
                    f"server.bolt.advertised_address=127.0.0.1:{self.port}",
                    "server.http.enabled=false",
                    "server.https.enabled=false",
                    "dbms.security.auth_enabled=true",
                    "dbms.usage_report.enabled=false",
                    f"server.memory.pagecache.size={self.pagecache}",
                    f"db.transaction.timeout={int(self.settings.neo4j_tx_timeout_seconds * 3)}s",
                    "db.logs.query.enabled=OFF",
                    *self.extra_config,
                    "",
                ]
            )
        )
        return config

    @contextmanager
    def _start_lock(self) -> Iterator[None]:
        """One starter per folder at a time, across processes (released by the kernel if we die)."""
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.lock_file, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def start(self, abort: threading.Event | None = None) -> None:
        """Start the server (or adopt one already running for this folder) and wait until ready.
        ``abort`` (the supervisor's) gives up a start that ``stop`` overtook."""
        with self._start_lock():
            self._start_locked(abort)

    def _start_locked(self, abort: threading.Event | None) -> None:
        pid = self.running_pid()
        if pid is not None:
            log.info("local Neo4j already running", pid=pid, uri=self.uri)
            self.wait_until_ready()
            return
        dist = ensure_distribution(self.settings)
        java = _require_tool("java")
        self.home.mkdir(parents=True, exist_ok=True)
        config = self._write_config()
        jvm = [f"-Xms{self.heap}", f"-Xmx{self.heap}", *PACKAGED_JVM_FLAGS]
        if any(_selects_collector(option) for option in self.extra_jvm):
            jvm = [option for option in jvm if not _selects_collector(option)]
        if self.fast_start:
            # C1 only. Without tiers the JVM reserves 48 MB for compiled code, and the Cypher compiler's code does not
            # fit: the test suite's server filled it within a minute, and from then on the code cache sweeper kept
            # flushing and recompiling (its sweeper thread: ~14% of a long-running server's CPU). With 256 MB the
            # same 36 tests cost the throwaway server 18-25% less CPU (two A/B pairs; 45 MB of code after a minute).
            jvm.extend(["-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=256m"])
        else:
            jvm.append("-XX:+AlwaysPreTouch")
        jvm.extend(self.extra_jvm)
        command = [
            java,
            *jvm,
            "-cp",
            f"{dist / 'lib' / '*'}{os.pathsep}{dist / 'classes'}",
            "Launcher",
            str(self.home / "dbms"),
            str(config),
        ]
        env = {**os.environ, "HANOISMART_NEO4J_PASSWORD": self.password}
        started = time.monotonic()
        log_offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        if abort is not None and abort.is_set():
            raise Neo4jStartError("Neo4j is being stopped; not starting it.")
        with open(self.log_file, "ab") as log_handle:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log_handle,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        self._process = process
        self.pid_file.write_text(str(process.pid))
        log.info("starting local Neo4j", pid=process.pid, uri=self.uri, home=str(self.home))
        try:
            self.wait_until_ready(process=process, log_offset=log_offset, abort=abort)
        except BaseException:
            self._stop_process()
            raise
        log.info("local Neo4j ready", seconds=round(time.monotonic() - started, 1), uri=self.uri)

    def _launcher_ready(self, log_offset: int) -> bool:
        """The launcher logs READY_MARKER once the initial password is set (Bolt opens before that)."""
        with open(self.log_file, "rb") as handle:
            handle.seek(log_offset)
            return READY_MARKER in handle.read()

    def wait_until_ready(
        self, process: subprocess.Popen[bytes] | None = None, log_offset: int = 0, abort: threading.Event | None = None
    ) -> None:
        deadline = time.monotonic() + self.settings.neo4j_start_timeout_seconds
        last_error: Exception | None = None
        if process is not None:
            while not self._launcher_ready(log_offset):
                if abort is not None and abort.is_set():
                    raise Neo4jStartError("Neo4j is being stopped; not waiting for it to start.")
                if process.poll() is not None:
                    raise Neo4jStartError(
                        f"Neo4j exited with code {process.returncode} while starting.\n{self.log_tail()}"
                    )
                if time.monotonic() > deadline:
                    raise Neo4jStartError(
                        f"Neo4j did not start within {self.settings.neo4j_start_timeout_seconds:.0f} s.\n"
                        f"{self.log_tail()}"
                    )
                time.sleep(0.2)
        with GraphDatabase.driver(
            self.uri, auth=(self.settings.neo4j_username, self.password), connection_timeout=2
        ) as driver:
            while time.monotonic() < deadline:
                if process is not None and process.poll() is not None:
                    raise Neo4jStartError(
                        f"Neo4j exited with code {process.returncode} while starting.\n{self.log_tail()}"
                    )
                try:
                    driver.verify_connectivity()
                    return
                except AuthError as exc:
                    raise Neo4jStartError(
                        f"Neo4j at {self.uri} refused the password stored for it ({exc.message}). "
                        f"If {self.home} was created with another password, remove it to start afresh."
                    ) from exc
                except (ServiceUnavailable, OSError) as exc:
                    last_error = exc
                    time.sleep(0.25)
        raise Neo4jStartError(
            f"Neo4j did not answer on {self.uri} within {self.settings.neo4j_start_timeout_seconds:.0f} s "
            f"(last error: {last_error}).\n{self.log_tail()}"
        )

    def supervise(self, restart_pause: float = 2.0) -> None:
        """Watch the server from a background thread: when it dies, reap it and start it again
        (or adopt the one a ``hanoismart neo4j start`` from another terminal started first)."""
        if self._supervisor is not None:
            return
        self._stopping.clear()
        self._supervisor = threading.Thread(
            target=self._supervise, args=(restart_pause,), name="neo4j-supervisor", daemon=True
        )
        self._supervisor.start()

    def _supervise(self, restart_pause: float) -> None:
        while not self._stopping.is_set():
            process = self._process
            if process is not None and process.poll() is None:
                process.wait()  # reaps it: no zombie is left behind
            elif self.running_pid() is not None:
                self._stopping.wait(1.0)  # adopted: not our child, so poll its PID
                continue
            if self._stopping.is_set():
                return
            log.error("local Neo4j died; starting it again", code=process.returncode if process else None)
            self._process = None
            try:
                self.start(abort=self._stopping)
            except Exception as exc:  # noqa: BLE001 (the watcher must outlive a failed start)
                log.error("local Neo4j did not start again; retrying", error=str(exc)[:2000])
                self._stopping.wait(restart_pause)

    def stop(self, timeout: float = 60.0) -> None:
        """Stop the server by its PID: SIGTERM (clean shutdown), SIGKILL if it hangs. Ends supervision."""
        self._stopping.set()
        self._stop_process(timeout)
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None and supervisor is not threading.current_thread():
            supervisor.join(timeout)
            self._stop_process(timeout)  # a restart the supervisor had begun just before

    def _stop_process(self, timeout: float = 60.0) -> None:
        pid = self.running_pid()
        if pid is None:
            return
        log.info("stopping local Neo4j", pid=pid)
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _alive(pid):
                break
            time.sleep(0.1)
        else:
            log.warning("local Neo4j did not stop in time; killing it", pid=pid)
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)

    def log_tail(self, lines: int = 40) -> str:
        texts = []
        for path in (self.log_file, self.home / "dbms" / "logs" / "debug.log"):
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                texts.append(f"--- last lines of {path} ---\n" + "\n".join(tail))
        return "\n".join(texts) or "(Neo4j wrote no log)"


def _alive(pid: int) -> bool:
    """True while ``pid`` runs. A dead process is not alive even before its parent reaps it: our own
    child is reaped here, anyone else's zombie is recognised by its state in ``/proc/PID/stat``."""
    try:
        waited, _status = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    state = _proc_state(pid)
    if state is not None:
        return state not in ("Z", "X", "x")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _proc_state(pid: int) -> str | None:
    """The state letter of ``/proc/PID/stat`` (R, S, D, Z ...), or None where there is no /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return "X" if Path("/proc/self/stat").exists() else None
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: the state follows the last ')'.
    return stat.rsplit(")", 1)[1].split()[0]


def connection_target(settings: Settings) -> tuple[str, str]:
    """URI and password the API connects with: ``NEO4J_URI`` when set, else the local server's."""
    if settings.neo4j_uri:
        if settings.neo4j_password is None:
            raise Neo4jStartError("NEO4J_URI is set but NEO4J_PASSWORD is not; set both.")
        return settings.neo4j_uri, settings.neo4j_password.get_secret_value()
    password_file = settings.var_dir / "neo4j-password"
    if not password_file.exists():
        raise Neo4jStartError(
            "No NEO4J_URI and no local Neo4j yet: run `hanoismart neo4j start` (or `make serve`) first."
        )
    return f"bolt://127.0.0.1:{settings.neo4j_bolt_port}", password_file.read_text().strip()
