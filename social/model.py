"""Plain dataclasses of the social graph."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

REACTION_KINDS = ("like", "love", "haha", "wow", "sad", "angry")
LIST_KINDS = ("connections", "followers", "following", "requests_in", "requests_out", "mutual")


@dataclass(frozen=True)
class PostView:
    id: str
    author_id: str
    text: str
    visibility: str
    tags: tuple[str, ...]
    created_at: datetime
    edited_at: datetime | None
    community_id: str | None
    ward_id: str | None


@dataclass(frozen=True)
class CommentView:
    id: str
    author_id: str
    text: str
    created_at: datetime
    post_id: str


@dataclass(frozen=True)
class CommentPage:
    comments: list[CommentView]
    total: int


@dataclass(frozen=True)
class ReactionSummary:
    counts: dict[str, int] = field(default_factory=dict)
    mine: str | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class RelationView:
    """How the viewer relates to another actor (only for the viewer)."""

    connected: bool
    request_sent: bool
    request_received: bool
    following: bool
    blocked: bool
    muted: bool
