"""Root fields of moderation: reports, the moderation queue, decisions."""

from __future__ import annotations

import strawberry

from resolvers import moderation as moderation_resolvers
from schema.moderation import ModerationActPayload, ReportConnection, ReportCreatePayload


@strawberry.type
class ModerationQuery:
    """Query fields of moderation; merged into the root Query by schema.assemble."""

    moderation_queue: ReportConnection = strawberry.field(
        resolver=moderation_resolvers.moderation_queue,
        description="Officers: every report; community moderators: reports about their communities' content. Oldest first.",
    )
    my_reports: ReportConnection = strawberry.field(
        resolver=moderation_resolvers.my_reports, description="Reports I filed, newest first, with how each ended."
    )


@strawberry.type
class ModerationMutation:
    """Mutation fields of moderation; merged into the root Mutation by schema.assemble."""

    report_create: ReportCreatePayload | None = strawberry.mutation(
        resolver=moderation_resolvers.report_create,
        description="Report a post, comment, person or organisation to the moderators.",
    )
    moderation_act: ModerationActPayload | None = strawberry.mutation(
        resolver=moderation_resolvers.moderation_act,
        description="Moderators: decide an open report (remove the content, warn, suspend, or dismiss), with a reason.",
    )
