"""A person's social preferences: whether others see how many follow them and how many they follow (people
lists), and whether they are ever suggested to others (discovery). Who sees the lists themselves is a profile
audience (``identity.privacy``, field ``connections``), applied by ``social.people``."""

from __future__ import annotations

from dataclasses import dataclass

from auth.permissions import authorize
from auth.viewer import Viewer
from core.runtime import Runtime
from graph import social as queries


@dataclass(frozen=True)
class SocialPreferences:
    show_follower_count: bool
    show_following_count: bool
    suggestions_opt_out: bool


async def set_social_preferences(
    rt: Runtime,
    viewer: Viewer,
    *,
    show_follower_count: bool | None,
    show_following_count: bool | None,
    suggestions_opt_out: bool | None,
) -> SocialPreferences:
    """Change the preferences given (None leaves one as it is); all of them as they are now."""
    me = authorize(viewer, "social.preferences.set")
    props = {
        k: v
        for k, v in {
            "showFollowerCount": show_follower_count,
            "showFollowingCount": show_following_count,
            "suggestionsOptOut": suggestions_opt_out,
        }.items()
        if v is not None
    }
    found = await rt.graph.write(queries.set_social_settings, me, props)
    assert found is not None, "a signed-in person's node is there (a closed account keeps it)"
    return SocialPreferences(found.show_follower_count, found.show_following_count, found.suggestions_opt_out)
