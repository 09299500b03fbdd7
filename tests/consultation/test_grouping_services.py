"""The grouping services: suggest, create, rename, merge, split, delete, move; their audit
records and who may use them."""

from __future__ import annotations

from typing import Any

import pytest

from phaen.accounts.models import Role
from phaen.consultation import grouping_services as services
from phaen.consultation.models import (
    Comment,
    CommentGroup,
    CommentStatus,
    Decision,
    HearingStatus,
    Response,
)
from phaen.core.actors import SYSTEM
from phaen.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from phaen.core.models import AuditRecord
from tests.conftest import member, planning_office
from tests.consultation.grouping_fixtures import TOPIC, add_comment, add_comments, make_hearing
from tests.plans.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hearing() -> Any:
    return make_hearing()


@pytest.fixture
def comments(hearing: Any) -> dict[int, Comment]:
    return add_comments(hearing)


def group_of(comment: Comment) -> CommentGroup | None:
    comment.refresh_from_db()
    return comment.group


def answer(group: CommentGroup) -> Response:
    return Response.objects.create(
        hearing=group.hearing, group=group, decision=Decision.ACCEPTED, reason="รับไว้พิจารณา"
    )


def records(action: str, outcome: str = "ok") -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action=action, outcome=outcome).order_by("id"))


# --- Suggesting ------------------------------------------------------------------------------


def test_suggest_groups_the_comments_by_element_and_topic(hearing, comments, planner):
    result = services.groups_suggest(actor=planner, hearing=hearing)

    assert result.created and result.replaced == 0 and result.kept == 0
    groups = CommentGroup.objects.filter(hearing=hearing)
    assert groups.count() == len(result.created)
    assert all(g.automatic and g.keywords and g.element_code for g in groups)
    assert group_of(comments[1]) == group_of(comments[3]) is not None
    assert group_of(comments[21]) == group_of(comments[24]) is not None
    assert group_of(comments[1]) != group_of(comments[8])
    assert group_of(comments[21]) != group_of(comments[27])
    assert group_of(comments[12]).element_code == "grp-s2"
    number_of = {comment.pk: number for number, comment in comments.items()}
    names = {TOPIC[number_of[g.comments.order_by("pk").first().pk]]: g.name for g in groups}
    assert "ผู้สูงอายุ" in names["elder"]
    [record] = records("comment_group.suggest")
    assert record.actor_id == planner.pk
    assert record.target_id == str(hearing.pk)
    assert len(record.after["groups"]) == len(result.created)
    assert sum(len(g["comments"]) for g in record.after["groups"]) + len(
        record.after["ungrouped"]
    ) == len(comments)


def test_suggesting_again_gives_the_same_groups(hearing, comments, planner):
    services.groups_suggest(actor=planner, hearing=hearing)
    first = sorted(
        (g.name, tuple(g.comments.values_list("pk", flat=True).order_by("pk")))
        for g in CommentGroup.objects.filter(hearing=hearing)
    )
    result = services.groups_suggest(actor=planner, hearing=hearing)
    again = sorted(
        (g.name, tuple(g.comments.values_list("pk", flat=True).order_by("pk")))
        for g in CommentGroup.objects.filter(hearing=hearing)
    )

    assert again == first
    assert result.replaced == len(first)


def test_suggest_keeps_answered_and_planners_groups_with_their_comments(hearing, comments, planner):
    services.groups_suggest(actor=planner, hearing=hearing)
    answered = group_of(comments[1])
    answer(answered)
    renamed = services.group_rename(actor=planner, group=group_of(comments[12]), name="ผู้สูงวัย")
    answered_members = set(answered.comments.values_list("pk", flat=True))
    renamed_members = set(renamed.comments.values_list("pk", flat=True))
    later = add_comment(hearing, "อยากให้ขยายสัญญาณอินเทอร์เน็ตไปถึงหมู่บ้านบนดอยด้วย", "grp-s1")
    hidden = add_comment(
        hearing, "ข้อมูลส่วนบุคคลรั่วไหล ซื้อขายข้อมูลส่วนบุคคล", "grp-s3", status=CommentStatus.HIDDEN
    )

    result = services.groups_suggest(actor=planner, hearing=hearing)

    assert result.kept == 2
    answered.refresh_from_db()
    renamed.refresh_from_db()
    assert set(answered.comments.values_list("pk", flat=True)) == answered_members
    assert set(renamed.comments.values_list("pk", flat=True)) == renamed_members
    assert renamed.name == "ผู้สูงวัย" and not renamed.automatic
    assert group_of(later) is None  # its topic's group is answered: it takes no new comment
    assert group_of(hidden) is None
    assert group_of(comments[21]) is not None and group_of(comments[21]).automatic


def test_suggest_is_refused_to_planners_of_other_organisations(hearing, comments):
    stranger = member("grp-stranger", Role.PLANNER, OrganisationFactory(code="grp-other-org"))

    with pytest.raises(PermissionDenied):
        services.groups_suggest(actor=stranger, hearing=hearing)

    assert not CommentGroup.objects.filter(hearing=hearing).exists()
    [record] = records("comment_group.suggest", "denied")
    assert record.actor_id == stranger.pk and record.reason == "permission"


def test_auditors_may_not_group(hearing, comments):
    auditor = member("grp-auditor", Role.AUDITOR, planning_office())

    with pytest.raises(PermissionDenied):
        services.groups_suggest(actor=auditor, hearing=hearing)


def test_system_administrators_may_group(hearing, comments, admin_user):
    result = services.groups_suggest(actor=admin_user, hearing=hearing)

    assert result.created


def test_groups_are_final_once_the_summary_is_published(hearing, comments, planner):
    services.groups_suggest(actor=planner, hearing=hearing)
    group = CommentGroup.objects.filter(hearing=hearing).first()
    hearing.status = HearingStatus.SUMMARISED
    hearing.save()

    with pytest.raises(ApplicationError) as refused:
        services.group_rename(actor=planner, group=group, name="ใหม่")
    assert refused.value.code == "comment_groups_final"
    assert refused.value.http_status == 409
    with pytest.raises(ApplicationError):
        services.groups_suggest(actor=planner, hearing=hearing)


# --- A planner's groups ----------------------------------------------------------------------


def test_create_a_group_of_chosen_comments(hearing, comments, planner):
    chosen = [comments[n].pk for n in (18, 19, 20)]
    group = services.group_create(actor=planner, hearing=hearing, comments=chosen)

    assert not group.automatic
    assert group.element_code == "grp-s2"  # the element the comments share
    assert "โปรแกรม" in group.name  # named by their top terms
    assert set(group.comments.values_list("pk", flat=True)) == set(chosen)
    [record] = records("comment_group.create")
    assert record.after["name"] == group.name


def test_create_refuses_an_unknown_element_and_an_empty_name(hearing, planner):
    with pytest.raises(ValidationFailed) as refused:
        services.group_create(actor=planner, hearing=hearing, name="x", element_code="nope")
    assert refused.value.code == "comment_group_element_unknown"
    assert "element_code" in refused.value.detail["fields"]
    with pytest.raises(ValidationFailed) as refused:
        services.group_create(actor=planner, hearing=hearing, name="  ")
    assert refused.value.code == "comment_group_name_required"


def test_create_refuses_comments_of_another_hearing(hearing, planner):
    other = make_hearing("grp-other", elements=False)
    foreign = add_comment(other, "ความคิดเห็นในอีกการรับฟัง")

    with pytest.raises(ValidationFailed) as refused:
        services.group_create(actor=planner, hearing=hearing, name="x", comments=[foreign.pk])
    assert refused.value.code == "comment_not_found"


def test_rename_makes_the_group_the_planners(hearing, comments, planner):
    services.groups_suggest(actor=planner, hearing=hearing)
    group = group_of(comments[8])

    renamed = services.group_rename(actor=planner, group=group, name="  งบเมือง   อัจฉริยะ ")

    assert renamed.name == "งบเมือง อัจฉริยะ"
    assert not renamed.automatic
    [record] = records("comment_group.rename")
    assert record.before["name"] == group.name and record.after["name"] == "งบเมือง อัจฉริยะ"
    with pytest.raises(ValidationFailed):
        services.group_rename(actor=planner, group=group, name="ก" * 301)


def test_merge_moves_every_comment_into_the_group_kept(hearing, comments, planner):
    privacy = services.group_create(
        actor=planner,
        hearing=hearing,
        name="ข้อมูลส่วนบุคคล",
        comments=[comments[n].pk for n in (21, 22)],
    )
    leaks = services.group_create(
        actor=planner,
        hearing=hearing,
        name="รั่วไหล",
        comments=[comments[n].pk for n in (23, 24, 25)],
    )

    kept = services.group_merge(actor=planner, groups=[privacy, leaks], target=privacy)

    assert kept == privacy
    assert not CommentGroup.objects.filter(pk=leaks.pk).exists()
    assert set(kept.comments.values_list("pk", flat=True)) == {
        comments[n].pk for n in (21, 22, 23, 24, 25)
    }
    [record] = records("comment_group.merge")
    assert {g["id"] for g in record.before["groups"]} == {privacy.pk, leaks.pk}
    assert len(record.after["comments"]) == 5


def test_merge_keeps_the_answered_group_and_its_response(hearing, comments, planner):
    small = services.group_create(
        actor=planner, hearing=hearing, name="ก", comments=[comments[26].pk]
    )
    large = services.group_create(
        actor=planner, hearing=hearing, name="ข", comments=[comments[n].pk for n in (27, 28, 29)]
    )
    response = answer(small)

    kept = services.group_merge(actor=planner, groups=[large, small])  # no target: the answered

    assert kept == small
    response.refresh_from_db()
    assert response.group_id == small.pk
    assert kept.comments.count() == 4


def test_merge_refuses_to_lose_another_groups_answer(hearing, comments, planner):
    first = services.group_create(
        actor=planner, hearing=hearing, name="ก", comments=[comments[1].pk]
    )
    second = services.group_create(
        actor=planner, hearing=hearing, name="ข", comments=[comments[2].pk]
    )
    answer(second)

    with pytest.raises(ApplicationError) as refused:
        services.group_merge(actor=planner, groups=[first, second], target=first)

    assert refused.value.code == "comment_group_merge_answered"
    assert CommentGroup.objects.filter(pk=second.pk).exists()
    with pytest.raises(ValidationFailed):
        services.group_merge(actor=planner, groups=[first])


def test_merge_refuses_groups_of_another_hearing(hearing, planner):
    other = make_hearing("grp-other", elements=False)
    mine = services.group_create(actor=planner, hearing=hearing, name="ก")
    theirs = services.group_create(actor=planner, hearing=other, name="ข")

    with pytest.raises(ValidationFailed) as refused:
        services.group_merge(actor=planner, groups=[mine, theirs])
    assert refused.value.code == "comment_group_other_hearing"


def test_split_moves_chosen_comments_into_a_new_group(hearing, comments, planner):
    skills = services.group_create(
        actor=planner,
        hearing=hearing,
        name="ทักษะดิจิทัล",
        comments=[comments[n].pk for n in (12, 14, 15, 18, 19, 20)],
    )

    new = services.group_split(
        actor=planner, group=skills, comments=[comments[n].pk for n in (18, 19, 20)]
    )

    assert "โปรแกรม" in new.name
    assert new.element_code == skills.element_code == "grp-s2"
    assert set(new.comments.values_list("pk", flat=True)) == {comments[n].pk for n in (18, 19, 20)}
    assert skills.comments.count() == 3
    [record] = records("comment_group.split")
    assert record.after["new_group"]["id"] == new.pk


def test_split_refuses_nothing_everything_and_strangers(hearing, comments, planner):
    group = services.group_create(
        actor=planner, hearing=hearing, name="ก", comments=[comments[n].pk for n in (1, 2)]
    )
    for chosen, code in (
        ([], "comment_group_split_empty"),
        ([comments[1].pk, comments[2].pk], "comment_group_split_all"),
        ([comments[3].pk], "comment_group_split_outside"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            services.group_split(actor=planner, group=group, comments=chosen)
        assert refused.value.code == code


def test_move_a_comment_between_groups_and_out(hearing, comments, planner):
    services.groups_suggest(actor=planner, hearing=hearing)
    source, target = group_of(comments[1]), group_of(comments[8])

    services.comment_move(actor=planner, comment=comments[1], group=target)

    assert group_of(comments[1]) == target
    source.refresh_from_db()
    target.refresh_from_db()
    assert not source.automatic and not target.automatic
    [record] = records("comment.group_move")
    assert record.target_id == str(comments[1].pk)
    assert record.before == {"group": source.pk} and record.after == {"group": target.pk}

    services.comment_move(actor=planner, comment=comments[1], group=None)
    assert group_of(comments[1]) is None


def test_move_is_refused_to_strangers_and_audited(hearing, comments):
    stranger = member("grp-stranger", Role.PLANNER, OrganisationFactory(code="grp-other-org"))

    with pytest.raises(PermissionDenied):
        services.comment_move(actor=stranger, comment=comments[1], group=None)

    assert records("comment.group_move", "denied")


def test_delete_leaves_the_comments_without_a_group(hearing, comments, planner):
    group = services.group_create(
        actor=planner, hearing=hearing, name="ก", comments=[comments[1].pk]
    )
    services.group_delete(actor=planner, group=group)

    assert group_of(comments[1]) is None
    [record] = records("comment_group.delete")
    assert record.before["comments"] == [comments[1].pk]


def test_an_answered_group_cannot_be_deleted(hearing, planner):
    group = services.group_create(actor=planner, hearing=hearing, name="ก")
    answer(group)

    with pytest.raises(ApplicationError) as refused:
        services.group_delete(actor=planner, group=group)
    assert refused.value.code == "comment_group_answered"


def test_the_system_actor_may_group(hearing, comments):
    group = services.group_create(actor=SYSTEM, hearing=hearing, name="ระบบ")

    assert group.pk
