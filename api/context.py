"""The per-request context every resolver receives as ``info.context``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from auth.viewer import ANONYMOUS, Viewer
from core.runtime import Runtime
from core.settings import Settings
from graph.driver import Graph
from partners.reads import ReadSet


@dataclass
class RequestContext:
    request: Request
    response: Response
    request_id: str
    settings: Settings
    runtime: Runtime
    viewer: Viewer = ANONYMOUS
    #: The language of messages, from ``Accept-Language`` (``core.i18n.negotiate``): "en" or "vi".
    language: str = "en"
    #: Personal data read by a partner app or an officer on duty, written to the person's access log before the
    #: response leaves (partners.reads).
    reads: ReadSet = field(default_factory=ReadSet)
    #: DataLoaders of this request, created lazily by ``loader`` (never shared across requests).
    loaders: dict[str, Any] = field(default_factory=dict)

    @property
    def graph(self) -> Graph:
        return self.runtime.graph

    def loader(self, name: str, factory):
        if name not in self.loaders:
            self.loaders[name] = factory(self)
        return self.loaders[name]
