"""`hanoismart serve` and SIGTERM before uvicorn runs: the Neo4j it was starting is stopped, not left behind
(the slow end-to-end version, with a real JVM, is in test_neo4j_server.py)."""

from __future__ import annotations

import os
import signal

import pytest

from api import cli
from graph.local_neo4j import LocalNeo4j


class Killed(Exception):
    """What SIGTERM does in this test unless serve handles it (the default action would kill pytest)."""


def _killed(signum, frame):
    raise Killed


class StartingNeo4j:
    """A local Neo4j that receives SIGTERM while it starts (the JVM is up, serve is waiting for Bolt)."""

    def __init__(self, events: list[str]) -> None:
        self.events = events

    def running_pid(self) -> int | None:
        return None

    def start(self) -> None:
        self.events.append("start")
        os.kill(os.getpid(), signal.SIGTERM)
        self.events.append("started")

    def supervise(self) -> None:
        self.events.append("supervise")

    def stop(self) -> None:
        self.events.append("stop")


def test_sigterm_while_serve_starts_neo4j_stops_it(test_settings, monkeypatch):
    events: list[str] = []
    settings = test_settings.model_copy(update={"neo4j_uri": None})
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    monkeypatch.setattr(LocalNeo4j, "for_development", classmethod(lambda cls, _settings: StartingNeo4j(events)))
    monkeypatch.setattr(cli.uvicorn, "run", lambda *a, **k: events.append("uvicorn"))
    previous = signal.signal(signal.SIGTERM, _killed)
    try:
        with pytest.raises((SystemExit, Killed)) as exited:
            cli.serve(host=None, port=None)
        assert events == ["start", "stop"], "the Neo4j being started is stopped, and nothing else runs"
        assert exited.type is SystemExit and exited.value.code == 128 + signal.SIGTERM
        assert signal.getsignal(signal.SIGTERM) is _killed, "serve restores the handler it replaced"
    finally:
        signal.signal(signal.SIGTERM, previous)
