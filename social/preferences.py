"""A person's social preferences: whether others see how many follow them and how many they follow (people
lists), and whether they are ever suggested to others (discovery)."""

from __future__ import annotations

from auth.permissions import authorize
from auth.viewer import Viewer
from core.runtime import Runtime
from graph import social as queries


async def set_social_preferences(
    rt: Runtime,
    viewer: Viewer,
    *,
    show_follower_count: bool | None,
    show_following_count: bool | None,
    suggestions_opt_out: bool | None,
) -> None:
    """Change the preferences given (None leaves one as it is)."""
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
    await rt.graph.write(queries.set_social_settings, me, props)
