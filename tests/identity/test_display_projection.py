"""The slim display projection (``graph.identity.display_projection``, ``identity.views.display_view``): an author, a
seller or a connection shown with display fields only reads its display record, which answers those fields exactly
as the full projection does and hides the same actors (a block either way, a real person from a sandbox app)."""

from __future__ import annotations

from auth.viewer import Viewer
from identity import views
from identity.model import OrganizationView, PersonView
from tests.identity.people import make_verified, register, uuid_of
from tests.identity.test_organizations import registered_org
from tests.social.helpers import BLOCK, set_edge


def test_only_display_fields_are_answered_by_a_display_view():
    assert views.display_suffices({"id", "displayName", "kind", "verificationLevel", "__typename"})
    assert views.display_suffices({"id", "displayName", "relation", "posts"})  # resolved from the id alone
    assert views.display_suffices(set())
    for richer in ("ward", "roles", "phone", "email", "dateOfBirth", "sector", "myRole", "audiences", "taxCodeMasked"):
        assert not views.display_suffices({"id", "displayName", richer}), richer


def _display_fields(view: PersonView | OrganizationView | None) -> tuple | None:
    if view is None:
        return None
    kind = view.kind if isinstance(view, OrganizationView) else "person"
    return (type(view), view.id, view.display_name, kind, view.assurance_level, view.created_at, view.status)


async def test_a_display_view_shows_what_the_full_view_shows_and_hides_whom_it_hides(app, client):
    rt = app.state.runtime
    me, stranger = await register(client), await register(client)
    friend = await make_verified(app, client)
    org = uuid_of(await registered_org(client, friend, name="Hợp tác xã Rau Sạch", taxCode="0109876599"))
    await set_edge(client, BLOCK, stranger, me)
    ids = [uuid_of(friend.id), org, uuid_of(stranger.id), uuid_of(me.id), "no-such-actor"]
    as_me = Viewer(kind="person", actor_id=uuid_of(me.id))
    anonymous = Viewer()
    sandbox_app = Viewer(kind="partner_app", actor_id=uuid_of(me.id), app_id="some-app", sandbox=True)
    for viewer in (as_me, anonymous, sandbox_app):
        full = await views.actors_by_ids(rt, viewer, ids)
        slim = await views.displays_by_ids(rt, viewer, ids)
        assert [_display_fields(v) for v in slim] == [_display_fields(v) for v in full], viewer
    slim = await views.displays_by_ids(rt, as_me, ids)
    assert slim[2] is None and slim[4] is None  # blocked by them; unknown
    assert isinstance(slim[1], OrganizationView) and slim[1].display_name == "Hợp tác xã Rau Sạch"
    assert isinstance(slim[3], PersonView) and slim[3].is_self and slim[0] is not None and not slim[0].is_self
    # What a display view leaves empty, the client did not ask for (display_suffices): no ward, contacts, roles.
    assert isinstance(slim[0], PersonView) and slim[0].ward is None and slim[0].phone is None and slim[0].roles == ()
    sandboxed = await views.displays_by_ids(rt, sandbox_app, ids)
    assert sandboxed[0] is None and sandboxed[3] is None and sandboxed[1] is not None  # real people unknown to it
