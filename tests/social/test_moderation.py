"""Reports and moderation through the API: one open report per reporter and subject, the queue for
officers and for community moderators, actions recorded in one transaction, suspensions, and what
the reporter learns (the outcome, never the moderator)."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime, timedelta

import pytest

from core.errors import ForbiddenError
from moderation.enforcement import assert_not_suspended
from tests.both_ways import refuses_cursor, walk_both_ways
from tests.identity.people import make_officer, make_verified, register, uuid_of
from tests.social.helpers import BLOCK, COMMENT, POST, comment, post, set_edge
from tests.support import error_codes, gql

REPORT = """
mutation Report($subjectId: ID!, $reason: String!) {
  reportCreate(input: {subjectId: $subjectId, reason: $reason}) {
    report { id status reason subjectKind subjectId outcome { action at } subjectText responsible { id } }
    errors { code field message }
  }
}
"""
ACT = """
mutation Act($reportId: ID!, $action: ModerationActionKind!, $reason: String!, $days: Int) {
  moderationAct(input: {reportId: $reportId, action: $action, reason: $reason, suspendDays: $days}) {
    report { id status outcome { action at reason until } }
    errors { code field message }
  }
}
"""
QUEUE = """
query Queue($status: ReportStatus, $first: Int, $after: String, $last: Int, $before: String) {
  moderationQueue(status: $status, first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node {
      id status reason subjectKind subjectId subjectText subjectStatus
      responsible { id displayName } community { id name }
      outcome { action at reason until }
    } }
  }
}
"""
MINE = """
query Mine($first: Int, $after: String, $last: Int, $before: String) {
  myReports(first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id status reason subjectKind subjectId outcome { action at reason until }
                   subjectText subjectStatus responsible { id } community { id } } }
  }
}
"""
NODE = "query N($id: ID!) { node(id: $id) { id ... on Report { status } ... on Post { text } } }"
CREATE_GROUP = """
mutation Create($input: CommunityCreateInput!) {
  communityCreate(input: $input) { community { id } errors { code field message } }
}
"""
ROLE_SET = """
mutation RoleSet($communityId: ID!, $personId: ID!, $role: CommunityRole!) {
  communityRoleSet(input: {communityId: $communityId, personId: $personId, role: $role}) {
    member { role } errors { code message }
  }
}
"""
JOIN = "mutation Join($id: ID!) { communityJoin(input: {communityId: $id}) { errors { code message } } }"
ORG = """
mutation Org($input: OrganizationRegisterInput!) {
  organizationRegister(input: $input) { organization { id } errors { code field message } }
}
"""
NOBODY = "00000000-0000-4000-8000-000000000000"
NOTICES = "{ notifications { edges { node { kind subjectId reason actor { id } } } } }"


def global_id(type_name: str, uuid: str) -> str:
    return base64.b64encode(f"{type_name}:{uuid}".encode()).decode()


async def report(client, reporter, subject_id: str, reason: str = "Nội dung xúc phạm người khác.") -> dict:
    return (await gql(client, REPORT, {"subjectId": subject_id, "reason": reason}, headers=reporter.auth))["data"][
        "reportCreate"
    ]


async def filed(client, reporter, subject_id: str, reason: str = "Nội dung xúc phạm người khác.") -> str:
    result = await report(client, reporter, subject_id, reason)
    assert result["errors"] == [], result["errors"]
    return result["report"]["id"]


async def act(
    client, moderator, report_id: str, action: str, reason: str = "Vi phạm quy tắc cộng đồng.", days: int | None = None
):
    return await gql(
        client, ACT, {"reportId": report_id, "action": action, "reason": reason, "days": days}, headers=moderator.auth
    )


async def group_with_members(client, app, officer, *members) -> tuple:
    """An open interest group run by a verified admin, with ``members`` joined."""
    admin = await make_verified(app, client, officer=officer, fullName="Lê Thu Hà")
    created = await gql(
        client, CREATE_GROUP, {"input": {"name": "Hội phụ huynh Phố cổ", "joinPolicy": "OPEN"}}, headers=admin.auth
    )
    group_id = created["data"]["communityCreate"]["community"]["id"]
    for member in members:
        assert (await gql(client, JOIN, {"id": group_id}, headers=member.auth))["data"]["communityJoin"]["errors"] == []
    return admin, group_id


async def test_anyone_signed_in_reports_once_per_subject(client, app):
    author = await register(client, fullName="Phạm Minh Đức")
    reporter = await register(client, fullName="Đỗ Thị Lan")
    post_id = await post(client, author, "Bài viết công khai có lời lẽ khó nghe.")
    comment_id = await comment(client, author, post_id, "Bình luận khó nghe.")

    created = await report(client, reporter, post_id, "  Lời lẽ xúc phạm.  ")
    assert created["errors"] == []
    assert created["report"]["status"] == "OPEN" and created["report"]["subjectKind"] == "POST"
    assert created["report"]["subjectId"] == post_id and created["report"]["reason"] == "Lời lẽ xúc phạm."
    assert created["report"]["outcome"] is None
    assert created["report"]["subjectText"] is None and created["report"]["responsible"] is None, "moderators only"

    again = await report(client, reporter, post_id, "Lần nữa.")
    assert again["report"] is None and again["errors"][0]["code"] == "CONFLICT"
    assert again["errors"][0]["field"] == ["input", "subjectId"]

    # comments, people and organisations are reported the same way; the same subject by another reporter is fine
    assert (await report(client, reporter, comment_id))["report"]["subjectKind"] == "COMMENT"
    assert (await report(client, reporter, author.id))["report"]["subjectKind"] == "PERSON"
    owner = await make_verified(app, client)
    org = await gql(
        client,
        ORG,
        {"input": {"name": "Công ty TNHH Du lịch Hồ Tây", "kind": "BUSINESS", "taxCode": "0101234567"}},
        headers=owner.auth,
    )
    org_id = org["data"]["organizationRegister"]["organization"]["id"]
    assert (await report(client, reporter, org_id, "Lừa đảo khách du lịch."))["report"]["subjectKind"] == "ORGANIZATION"
    third = await register(client)
    assert (await report(client, third, post_id))["errors"] == []

    mine = (await gql(client, MINE, headers=reporter.auth))["data"]["myReports"]
    assert [e["node"]["subjectKind"] for e in mine["edges"]] == ["ORGANIZATION", "PERSON", "COMMENT", "POST"], (
        "newest first"
    )
    paged = (await gql(client, MINE, {"first": 3}, headers=reporter.auth))["data"]["myReports"]
    rest = (await gql(client, MINE, {"first": 3, "after": paged["pageInfo"]["endCursor"]}, headers=reporter.auth))[
        "data"
    ]["myReports"]
    assert [e["node"]["subjectKind"] for e in rest["edges"]] == ["POST"] and rest["pageInfo"]["hasNextPage"] is False
    assert (await gql(client, MINE, headers=author.auth))["data"]["myReports"]["edges"] == []

    anonymous = await gql(client, REPORT, {"subjectId": post_id, "reason": "x"})
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]


async def test_parallel_reports_of_one_subject_make_one_open_report(client, app):
    author = await register(client)
    reporter = await register(client)
    post_id = await post(client, author, "Một bài bị báo cáo nhiều lần cùng lúc.")
    results = await asyncio.gather(*(report(client, reporter, post_id, f"Lý do {i}") for i in range(8)))
    assert sum(1 for r in results if r["errors"] == []) == 1
    assert all(r["errors"][0]["code"] == "CONFLICT" for r in results if r["errors"])
    assert len((await gql(client, MINE, headers=reporter.auth))["data"]["myReports"]["edges"]) == 1


async def test_bad_reports_are_refused_in_the_payload(client, app):
    author = await register(client, fullName="Phạm Minh Đức")
    reporter = await register(client, fullName="Đỗ Thị Lan")
    post_id = await post(client, author, "Chỉ bạn bè xem.", "CONNECTIONS")  # the reporter cannot see it
    public_id = await post(client, author, "Công khai.")

    empty = await report(client, reporter, public_id, "   ")
    assert empty["errors"][0]["code"] == "INVALID_INPUT" and empty["errors"][0]["field"] == ["input", "reason"]
    too_long = await report(client, reporter, public_id, "x" * 1001)
    assert too_long["errors"][0]["field"] == ["input", "reason"]
    for subject in (global_id("Post", NOBODY), global_id("Comment", NOBODY), global_id("Person", NOBODY), post_id):
        unknown = await report(client, reporter, subject)
        assert unknown["errors"] == [
            {
                "code": "NOT_FOUND",
                "field": ["input", "subjectId"],
                "message": "No post, comment, person or organisation you can see has this id.",
            }
        ]
    not_reportable = await report(client, reporter, global_id("Community", NOBODY))
    assert not_reportable["errors"][0]["field"] == ["input", "subjectId"]
    garbage = await report(client, reporter, "not-an-id")
    assert garbage["errors"][0]["field"] == ["input", "subjectId"]
    # every mistake of the input at once, in the caller's language
    both = await gql(
        client, REPORT, {"subjectId": "not-an-id", "reason": " "}, headers={**reporter.auth, "Accept-Language": "vi"}
    )
    assert [(e["code"], e["field"]) for e in both["data"]["reportCreate"]["errors"]] == [
        ("INVALID_INPUT", ["input", "subjectId"]),
        ("INVALID_INPUT", ["input", "reason"]),
    ]
    assert both["data"]["reportCreate"]["errors"][0]["message"] == (
        "Đây không phải là mã định danh toàn cục của API này; vui lòng dùng một `id` do API trả về."
    )
    own = await report(client, author, public_id)
    assert own["errors"][0]["code"] == "INVALID_INPUT" and "yourself" in own["errors"][0]["message"]
    myself = await report(client, author, author.id)
    assert myself["errors"][0]["code"] == "INVALID_INPUT"
    assert (await gql(client, MINE, headers=reporter.auth))["data"]["myReports"]["edges"] == []


async def test_officers_remove_content_and_the_reporter_sees_the_outcome(client, app):
    officer = await make_officer(app, client)
    author = await register(client, fullName="Phạm Minh Đức")
    reporter = await register(client, fullName="Đỗ Thị Lan")
    second = await register(client, fullName="Vũ Quang Huy")
    post_id = await post(client, author, "Quảng cáo lừa đảo: đầu tư 1 ăn 10!")
    report_id = await filed(client, reporter, post_id, "Lừa đảo.")
    other_report = await filed(client, second, post_id, "Spam.")

    queue = (await gql(client, QUEUE, headers=officer.auth))["data"]["moderationQueue"]
    nodes = [e["node"] for e in queue["edges"]]
    assert [n["id"] for n in nodes] == [report_id, other_report], "oldest first"
    first = nodes[0]
    assert first["subjectText"] == "Quảng cáo lừa đảo: đầu tư 1 ăn 10!" and first["subjectStatus"] == "active"
    assert first["responsible"] == {"id": author.id, "displayName": "Phạm Minh Đức"} and first["community"] is None
    assert first["reason"] == "Lừa đảo."

    removed = (await act(client, officer, report_id, "REMOVE_CONTENT", "Lừa đảo tài chính."))["data"]["moderationAct"]
    assert removed["errors"] == []
    assert removed["report"]["status"] == "RESOLVED"
    assert removed["report"]["outcome"]["action"] == "REMOVE_CONTENT"
    assert removed["report"]["outcome"]["reason"] == "Lừa đảo tài chính."
    assert (await gql(client, NODE, {"id": post_id}, headers=reporter.auth))["data"]["node"] is None, "the post is gone"
    assert (await gql(client, NODE, {"id": post_id}, headers=author.auth))["data"]["node"] is None

    # the other open report about the same post was resolved by the same action
    assert (await gql(client, QUEUE, headers=officer.auth))["data"]["moderationQueue"]["edges"] == []
    resolved = (await gql(client, QUEUE, {"status": "RESOLVED"}, headers=officer.auth))["data"]["moderationQueue"]
    assert {e["node"]["id"] for e in resolved["edges"]} == {report_id, other_report}
    assert all(e["node"]["subjectStatus"] == "removed" for e in resolved["edges"])
    twice = (await act(client, officer, other_report, "DISMISS"))["data"]["moderationAct"]
    assert twice["errors"][0]["code"] == "CONFLICT" and twice["errors"][0]["field"] == ["input", "reportId"]

    # the reporter sees the status and the outcome: what and when, not who, not the moderator's notes
    (mine,) = [e["node"] for e in (await gql(client, MINE, headers=reporter.auth))["data"]["myReports"]["edges"]]
    assert mine["status"] == "RESOLVED" and mine["reason"] == "Lừa đảo."
    assert mine["outcome"]["action"] == "REMOVE_CONTENT" and mine["outcome"]["at"]
    assert mine["outcome"]["reason"] is None and mine["outcome"]["until"] is None
    assert mine["subjectText"] is None and mine["responsible"] is None and mine["community"] is None
    assert "Trần Thị Cán Bộ" not in str(mine) and uuid_of(officer.id) not in str(mine)
    (theirs,) = [e["node"] for e in (await gql(client, MINE, headers=second.auth))["data"]["myReports"]["edges"]]
    assert theirs["status"] == "RESOLVED" and theirs["outcome"]["action"] == "REMOVE_CONTENT"

    # both reporters are told their report was decided (by "the moderation", no one named); the author is
    # told the post was removed, and why
    for who, report in ((reporter, report_id), (second, other_report)):
        (notice,) = [
            e["node"] for e in (await gql(client, NOTICES, headers=who.auth))["data"]["notifications"]["edges"]
        ]
        assert notice == {"kind": "REPORT_DECIDED", "subjectId": report, "reason": None, "actor": None}
    (removal,) = [
        e["node"] for e in (await gql(client, NOTICES, headers=author.auth))["data"]["notifications"]["edges"]
    ]
    assert removal == {"kind": "CONTENT_REMOVED", "subjectId": post_id, "reason": "Lừa đảo tài chính.", "actor": None}

    # node(id:) shows a report to its reporter and to moderators only
    assert (await gql(client, NODE, {"id": report_id}, headers=reporter.auth))["data"]["node"]["status"] == "RESOLVED"
    assert (await gql(client, NODE, {"id": report_id}, headers=author.auth))["data"]["node"] is None
    assert (await gql(client, NODE, {"id": report_id}))["data"]["node"] is None


async def test_residents_neither_read_the_queue_nor_act(client, app):
    author = await register(client)
    reporter = await register(client)
    resident = await register(client)
    report_id = await filed(client, reporter, await post(client, author, "Xin chào phường."))

    queue = await gql(client, QUEUE, headers=resident.auth)
    assert error_codes(queue) == ["FORBIDDEN"] and queue["data"] is None
    assert error_codes(await gql(client, QUEUE, headers=reporter.auth)) == ["FORBIDDEN"]
    assert error_codes(await gql(client, QUEUE)) == ["UNAUTHENTICATED"]
    acting = await act(client, resident, report_id, "DISMISS")
    assert error_codes(acting) == ["FORBIDDEN"]
    own_report = await act(client, reporter, report_id, "REMOVE_CONTENT")
    assert error_codes(own_report) == ["FORBIDDEN"]
    unknown = (await act(client, resident, global_id("Report", NOBODY), "DISMISS"))["data"]["moderationAct"]
    assert unknown == {
        "report": None,
        "errors": [{"code": "NOT_FOUND", "field": ["input", "reportId"], "message": "No report has this id."}],
    }
    assert error_codes(await act(client, author, report_id, "WARN")) == ["FORBIDDEN"], "nor does the author"


async def test_community_moderators_act_within_their_community_only(client, app):
    officer = await make_officer(app, client)
    author = await register(client, fullName="Phạm Minh Đức")
    reporter = await register(client, fullName="Đỗ Thị Lan")
    admin, group_id = await group_with_members(client, app, officer, author, reporter)

    in_group = await post(
        client, author, "Họp phụ huynh tối nay, ai không đến là đồ ngốc.", "COMMUNITY", communityId=group_id
    )
    a_comment = await comment(client, author, in_group, "Đúng thế, đồ ngốc cả.")
    outside = await post(client, author, "Bài công khai ngoài nhóm.")
    group_report = await filed(client, reporter, in_group)
    comment_report = await filed(client, reporter, a_comment)
    person_report = await filed(client, reporter, author.id, "Hay chửi bới.")
    outside_report = await filed(client, reporter, outside)

    queue = (await gql(client, QUEUE, headers=admin.auth))["data"]["moderationQueue"]
    nodes = {e["node"]["id"]: e["node"] for e in queue["edges"]}
    assert set(nodes) == {group_report, comment_report}, "only reports about the group's posts and comments"
    assert nodes[group_report]["community"] == {"id": group_id, "name": "Hội phụ huynh Phố cổ"}
    assert nodes[comment_report]["subjectText"] == "Đúng thế, đồ ngốc cả."
    everything = (await gql(client, QUEUE, {"first": 10}, headers=officer.auth))["data"]["moderationQueue"]
    assert len(everything["edges"]) == 4, "officers see every report"

    # outside the community, and suspensions, belong to officers
    not_theirs = await act(client, admin, outside_report, "REMOVE_CONTENT")
    assert error_codes(not_theirs) == ["FORBIDDEN"]
    assert error_codes(await act(client, admin, person_report, "WARN")) == ["FORBIDDEN"]
    suspend = await act(client, admin, group_report, "SUSPEND", days=3)
    assert error_codes(suspend) == ["FORBIDDEN"] and "officers" in suspend["errors"][0]["message"]

    warned = (await act(client, admin, comment_report, "WARN", "Nhắc nhở lần đầu."))["data"]["moderationAct"]
    assert warned["errors"] == [] and warned["report"]["status"] == "RESOLVED"
    assert warned["report"]["outcome"]["action"] == "WARN"
    removed = (await act(client, admin, group_report, "REMOVE_CONTENT"))["data"]["moderationAct"]
    assert removed["errors"] == [] and removed["report"]["status"] == "RESOLVED"
    assert (await gql(client, NODE, {"id": in_group}, headers=reporter.auth))["data"]["node"] is None

    # a moderator appointed by the admin works the queue too, and dismisses
    moderator = await register(client, fullName="Vũ Quang Huy")
    await gql(client, JOIN, {"id": group_id}, headers=moderator.auth)
    made = await gql(
        client, ROLE_SET, {"communityId": group_id, "personId": moderator.id, "role": "MODERATOR"}, headers=admin.auth
    )
    assert made["data"]["communityRoleSet"]["errors"] == []
    another = await post(client, reporter, "Ai có sách giáo khoa lớp 3 cũ không?", "COMMUNITY", communityId=group_id)
    another_report = await filed(client, author, another, "Bán hàng trong nhóm.")
    dismissed = (await act(client, moderator, another_report, "DISMISS", "Không phải bán hàng."))["data"][
        "moderationAct"
    ]
    assert dismissed["report"]["status"] == "DISMISSED" and dismissed["report"]["outcome"]["action"] == "DISMISS"
    (mine,) = [e["node"] for e in (await gql(client, MINE, headers=author.auth))["data"]["myReports"]["edges"]]
    assert (
        mine["status"] == "DISMISSED" and mine["outcome"]["action"] == "DISMISS" and mine["outcome"]["reason"] is None
    )
    assert (await gql(client, NODE, {"id": another}, headers=author.auth))["data"]["node"] == {
        "id": another,
        "text": "Ai có sách giáo khoa lớp 3 cũ không?",
    }

    # nobody decides a report about their own content
    self_report = await filed(
        client, reporter, await post(client, admin, "Thông báo của quản trị.", "COMMUNITY", communityId=group_id)
    )
    assert error_codes(await act(client, admin, self_report, "DISMISS")) == ["FORBIDDEN"]


async def test_officers_suspend_with_checked_days_and_reasons(client, app):
    officer = await make_officer(app, client)
    author = await make_verified(app, client, officer=officer, fullName="Phạm Minh Đức")
    reporter = await register(client, fullName="Đỗ Thị Lan")
    post_id = await post(client, author, "Kêu gọi quấy rối một gia đình trong phường.")
    report_id = await filed(client, reporter, post_id)

    for days in (0, 400, None):
        bad = (await act(client, officer, report_id, "SUSPEND", days=days))["data"]["moderationAct"]
        assert bad["report"] is None and bad["errors"][0]["code"] == "INVALID_INPUT"
        assert bad["errors"][0]["field"] == ["input", "suspendDays"]
    warn_days = (await act(client, officer, report_id, "WARN", days=3))["data"]["moderationAct"]
    assert warn_days["errors"][0]["field"] == ["input", "suspendDays"]
    no_reason = (await act(client, officer, report_id, "SUSPEND", reason=" ", days=7))["data"]["moderationAct"]
    assert no_reason["errors"][0]["field"] == ["input", "reason"]
    both = (await act(client, officer, report_id, "SUSPEND", reason=" ", days=0))["data"]["moderationAct"]
    assert [(e["code"], e["field"]) for e in both["errors"]] == [
        ("INVALID_INPUT", ["input", "reason"]),
        ("INVALID_INPUT", ["input", "suspendDays"]),
    ]
    assert both["errors"][1]["message"] == "A suspension lasts 1 to 365 days."
    in_vietnamese = await gql(
        client,
        ACT,
        {"reportId": report_id, "action": "SUSPEND", "reason": "Quấy rối.", "days": 400},
        headers={**officer.auth, "Accept-Language": "vi"},
    )
    assert in_vietnamese["data"]["moderationAct"]["errors"] == [
        {
            "code": "INVALID_INPUT",
            "field": ["input", "suspendDays"],
            "message": "Thời gian tạm khóa là từ 1 đến 365 ngày.",
        }
    ]
    person_report = await filed(client, reporter, author.id, "Quấy rối.")
    remove_person = (await act(client, officer, person_report, "REMOVE_CONTENT"))["data"]["moderationAct"]
    assert remove_person["errors"][0]["field"] == ["input", "action"]

    runtime = app.state.runtime
    await runtime.graph.read(assert_not_suspended, uuid_of(author.id))  # nothing happened yet

    before = datetime.now(UTC)
    suspended = (await act(client, officer, report_id, "SUSPEND", "Kích động quấy rối.", days=7))["data"][
        "moderationAct"
    ]
    assert suspended["errors"] == [] and suspended["report"]["status"] == "RESOLVED"
    until = datetime.fromisoformat(suspended["report"]["outcome"]["until"])
    assert before + timedelta(days=7) - timedelta(seconds=5) <= until <= datetime.now(UTC) + timedelta(days=7)

    with pytest.raises(ForbiddenError) as refused:
        await runtime.graph.read(assert_not_suspended, uuid_of(author.id))
    assert "suspended until" in refused.value.message
    assert refused.value.extensions["suspendedUntil"].startswith(until.strftime("%Y-%m-%dT%H:%M"))

    # a suspended person may not open a community (publishing is closed to them)
    group = await gql(client, CREATE_GROUP, {"input": {"name": "Nhóm mới", "joinPolicy": "OPEN"}}, headers=author.auth)
    assert error_codes(group) == ["FORBIDDEN"] and "suspended until" in group["errors"][0]["message"]

    (mine,) = [
        e["node"]
        for e in (await gql(client, MINE, headers=reporter.auth))["data"]["myReports"]["edges"]
        if e["node"]["id"] == report_id
    ]
    assert mine["outcome"]["action"] == "SUSPEND" and mine["outcome"]["until"] is None, (
        "the reporter learns what, not how long"
    )

    # the person's other open report can still be decided: a warning is recorded
    warned = (await act(client, officer, person_report, "WARN"))["data"]["moderationAct"]
    assert warned["errors"] == [] and warned["report"]["outcome"]["action"] == "WARN"
    notices = [e["node"] for e in (await gql(client, NOTICES, headers=author.auth))["data"]["notifications"]["edges"]]
    assert [(n["kind"], n["subjectId"], n["actor"]) for n in notices] == [
        ("WARNED", author.id, None),
        ("ACCOUNT_SUSPENDED", author.id, None),
    ], "newest first"
    assert notices[1]["reason"] == "Kích động quấy rối."


async def test_a_suspended_person_may_not_post_or_comment(client, app):
    officer = await make_officer(app, client)
    author = await register(client, fullName="Phạm Minh Đức")
    reporter = await register(client, fullName="Đỗ Thị Lan")
    post_id = await post(client, author, "Nội dung vi phạm.")
    other_post = await post(client, reporter, "Bài của người khác.")
    await act(client, officer, await filed(client, reporter, post_id), "SUSPEND", days=30)

    refused = await gql(
        client, POST, {"input": {"text": "Tôi quay lại rồi.", "visibility": "PUBLIC"}}, headers=author.auth
    )
    assert error_codes(refused) == ["FORBIDDEN"] and "suspended until" in refused["errors"][0]["message"]
    refused_comment = await gql(client, COMMENT, {"post": other_post, "text": "Bình luận."}, headers=author.auth)
    assert (
        error_codes(refused_comment) == ["FORBIDDEN"] and "suspended until" in refused_comment["errors"][0]["message"]
    )
    own_post = await gql(client, NODE, {"id": post_id}, headers=author.auth)
    assert own_post["data"]["node"]["text"] == "Nội dung vi phạm.", "suspension removes nothing"
    refused_edit = await gql(
        client, EDIT_POST, {"id": post_id, "text": "Nội dung mới, vẫn vi phạm."}, headers=author.auth
    )
    assert error_codes(refused_edit) == ["FORBIDDEN"] and "suspended until" in refused_edit["errors"][0]["message"]
    assert (await gql(client, NODE, {"id": post_id}, headers=author.auth))["data"]["node"][
        "text"
    ] == "Nội dung vi phạm."


EDIT_POST = "mutation E($id: ID!, $text: String) { postUpdate(input: {postId: $id, text: $text}) { post { text } errors { code } } }"
DELETE_POST = """
mutation D($id: ID!, $reason: String) { postDelete(input: {postId: $id, reason: $reason}) { errors { code field message } } }
"""
DELETE_COMMENT = """
mutation D($id: ID!, $reason: String) {
  commentDelete(input: {commentId: $id, reason: $reason}) { errors { code field message } }
}
"""


async def test_direct_removals_by_moderators_are_logged_and_resolve_reports(client, app, graph):
    officer = await make_officer(app, client)
    author, reporter = await register(client, fullName="Lý Văn Tác Giả"), await register(client)
    written = await post(client, author, "Quảng cáo lừa đảo")
    said = await comment(client, author, written, "Bình luận spam")
    filed = await gql(client, REPORT, {"subjectId": written, "reason": "Lừa đảo"}, headers=reporter.auth)
    assert filed["data"]["reportCreate"]["errors"] == []
    no_reason = await gql(client, DELETE_POST, {"id": written, "reason": " "}, headers=officer.auth)
    assert no_reason["data"]["postDelete"]["errors"][0]["field"] == ["input", "reason"]
    assert (await gql(client, NODE, {"id": written}, headers=reporter.auth))["data"]["node"] is not None, (
        "nothing written"
    )
    comment_removed = await gql(client, DELETE_COMMENT, {"id": said, "reason": "Spam"}, headers=officer.auth)
    assert comment_removed["data"]["commentDelete"]["errors"] == []
    removed = await gql(
        client, DELETE_POST, {"id": written, "reason": "Lừa đảo, vi phạm quy tắc"}, headers=officer.auth
    )
    assert removed["data"]["postDelete"]["errors"] == []
    assert (await gql(client, NODE, {"id": written}, headers=reporter.auth))["data"]["node"] is None

    async def log(tx):
        result = await tx.run(
            "MATCH (a:ModerationAction)-[:BY]->(by:Person), (a)-[:ON]->(s), (a)-[:AGAINST]->(who:Person) "
            "RETURN by.id AS by, labels(s)[0] AS kind, a.reason AS reason, who.id AS against ORDER BY kind"
        )
        return [dict(r) async for r in result]

    assert await graph.read(log) == [
        {"by": uuid_of(officer.id), "kind": "Comment", "reason": "Spam", "against": uuid_of(author.id)},
        {
            "by": uuid_of(officer.id),
            "kind": "Post",
            "reason": "Lừa đảo, vi phạm quy tắc",
            "against": uuid_of(author.id),
        },
    ]
    mine = (await gql(client, MINE, headers=reporter.auth))["data"]["myReports"]["edges"]
    assert [e["node"]["status"] for e in mine] == ["RESOLVED"], "the reporter sees the outcome"


async def test_direct_removals_tell_the_author_and_the_reporters(client, app):
    officer = await make_officer(app, client)
    author, reporter, second = await register(client), await register(client), await register(client)
    admin, group_id = await group_with_members(client, app, officer, author, reporter)
    written = await post(client, author, "Quảng cáo đa cấp")
    in_group = await post(client, reporter, "Họp phụ huynh", "COMMUNITY", communityId=group_id)
    said = await comment(client, author, in_group, "Bình luận xúc phạm")
    post_reports = [await filed(client, reporter, written), await filed(client, second, written)]
    comment_report = await filed(client, reporter, said)

    removed = await gql(client, DELETE_POST, {"id": written, "reason": "Đa cấp, lừa đảo"}, headers=officer.auth)
    assert removed["data"]["postDelete"]["errors"] == []
    by_moderator = await gql(client, DELETE_COMMENT, {"id": said, "reason": "Xúc phạm"}, headers=admin.auth)
    assert by_moderator["data"]["commentDelete"]["errors"] == []

    told_author = [
        e["node"] for e in (await gql(client, NOTICES, headers=author.auth))["data"]["notifications"]["edges"]
    ]
    assert told_author == [
        {"kind": "CONTENT_REMOVED", "subjectId": said, "reason": "Xúc phạm", "actor": None},
        {"kind": "CONTENT_REMOVED", "subjectId": written, "reason": "Đa cấp, lừa đảo", "actor": None},
    ]
    told_reporter = [
        e["node"]
        for e in (await gql(client, NOTICES, headers=reporter.auth))["data"]["notifications"]["edges"]
        if e["node"]["kind"] != "COMMENT"
    ]  # the author commented on the reporter's group post
    assert told_reporter == [
        {"kind": "REPORT_DECIDED", "subjectId": comment_report, "reason": None, "actor": None},
        {"kind": "REPORT_DECIDED", "subjectId": post_reports[0], "reason": None, "actor": None},
    ]
    told_second = [
        e["node"] for e in (await gql(client, NOTICES, headers=second.auth))["data"]["notifications"]["edges"]
    ]
    assert told_second == [{"kind": "REPORT_DECIDED", "subjectId": post_reports[1], "reason": None, "actor": None}]
    for who in (author, reporter, second):
        seen = str(await gql(client, NOTICES, headers=who.auth))
        assert officer.id not in seen and admin.id not in seen, "no moderator is named"
    # an author deleting their own post tells no one
    own = await post(client, author, "Bài tự xoá")
    await filed(client, second, own)
    assert (await gql(client, DELETE_POST, {"id": own}, headers=author.auth))["data"]["postDelete"]["errors"] == []
    assert len((await gql(client, NOTICES, headers=second.auth))["data"]["notifications"]["edges"]) == 1


async def test_a_blocker_still_reports_whom_they_blocked_but_not_the_other_way(client, app):
    blocker, rude, host = await register(client), await register(client), await register(client)
    rude_post = await post(client, rude, "Lời lẽ thô tục")
    hosts_post = await post(client, host, "Góp ý về chợ Đồng Xuân")
    rude_comment = await comment(client, rude, hosts_post, "Bình luận thô tục")
    blockers_post = await post(client, blocker, "Bài của người chặn")
    await set_edge(client, BLOCK, blocker, rude)
    for subject in (rude.id, rude_post, rude_comment):
        assert (await report(client, blocker, subject))["errors"] == [], subject
    for subject in (blocker.id, blockers_post):
        refused = await report(client, rude, subject)
        assert refused["errors"][0]["message"] == "No post, comment, person or organisation you can see has this id."
    hidden = await post(client, rude, "Chỉ bạn bè", "CONNECTIONS")
    assert (await report(client, blocker, hidden))["errors"][0]["field"] == ["input", "subjectId"], (
        "still only what they could see"
    )


async def test_the_queue_and_my_reports_page_both_ways(client, app):
    officer = await make_officer(app, client)
    author, reporter, other = await register(client), await register(client), await register(client)
    admin, group_id = await group_with_members(client, app, officer, author, reporter)
    in_group = [await post(client, author, f"Bài trong nhóm {i}", "COMMUNITY", communityId=group_id) for i in range(3)]
    public = [await post(client, author, f"Bài công khai {i}") for i in range(2)]
    filed_ids = [await filed(client, reporter, p) for p in in_group + public]
    others = await filed(client, other, public[0])

    queue = await walk_both_ways(client, QUEUE, lambda d: d["moderationQueue"], headers=officer.auth)
    assert queue == [*filed_ids, others], "every report, oldest first"
    communitys = await walk_both_ways(client, QUEUE, lambda d: d["moderationQueue"], headers=admin.auth)
    assert communitys == filed_ids[:3], "the reports about the group's posts"
    mine = await walk_both_ways(client, MINE, lambda d: d["myReports"], headers=reporter.auth)
    assert mine == filed_ids[::-1], "newest first"

    # each list refuses the other's cursors, and another reporter's
    queue_page = (await gql(client, QUEUE, {"first": 1}, headers=officer.auth))["data"]["moderationQueue"]
    theirs = (await gql(client, MINE, {"first": 1}, headers=other.auth))["data"]["myReports"]
    await refuses_cursor(client, MINE, queue_page["edges"][0]["cursor"], headers=reporter.auth)
    await refuses_cursor(client, MINE, theirs["edges"][0]["cursor"], headers=reporter.auth)
    await refuses_cursor(client, QUEUE, theirs["edges"][0]["cursor"], headers=officer.auth)
