"""The comment-groups page, /consultation/<code>/groups/: who sees it, its forms, htmx, queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from phaen.accounts.models import Role
from phaen.consultation import grouping_services as services
from phaen.consultation.models import CommentGroup, Decision, Response
from phaen.core.models import AuditRecord
from tests.conftest import member, planning_office, signed_in
from tests.consultation.grouping_fixtures import COMMENTS, add_comment, add_comments, make_hearing
from tests.plans.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

URL = "/consultation/grp-hearing/groups/"


@pytest.fixture
def hearing() -> Any:
    return make_hearing()


@pytest.fixture
def comments(hearing: Any) -> dict[int, Any]:
    return add_comments(hearing)


def html(response: Any) -> str:
    return response.content.decode()


def groups(hearing: Any) -> dict[str, CommentGroup]:
    return {g.name: g for g in CommentGroup.objects.filter(hearing=hearing)}


def test_the_organisers_planner_sees_the_board_with_its_forms(
    hearing, comments, planner, planner_client
):
    services.groups_suggest(actor=planner, hearing=hearing)
    group = CommentGroup.objects.filter(hearing=hearing, comments=comments[12]).get()

    response = planner_client.get(URL)

    page = html(response)
    assert response.status_code == 200
    assert "ยุทธศาสตร์ที่ 2 พัฒนากำลังคนและทักษะดิจิทัล" in page  # the element's title
    assert group.name in page
    assert all(keyword in page for keyword in group.keywords)
    assert COMMENTS[11][3] in page  # comment 12's text
    assert 'action="/consultation/grp-hearing/groups/suggest/"' in page
    assert 'id="merge-form"' in page
    assert f'action="/consultation/grp-hearing/groups/{group.pk}/rename/"' in page
    assert 'hx-boost="true"' in page


def test_auditors_read_the_board_without_forms(hearing, comments, planner):
    services.groups_suggest(actor=planner, hearing=hearing)
    auditor = member("grp-auditor", Role.AUDITOR, planning_office())

    response = signed_in(auditor).get(URL)

    assert response.status_code == 200
    assert "suggest/" not in html(response)
    assert 'type="checkbox"' not in html(response)


def test_others_may_not_see_the_board(hearing, comments):
    stranger = member("grp-stranger", Role.PLANNER, OrganisationFactory(code="grp-other-org"))

    assert signed_in(stranger).get(URL).status_code == 403
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert Client().get("/consultation/no-such-hearing/groups/").status_code == 302
    assert signed_in(stranger).get("/consultation/no-such-hearing/groups/").status_code == 404


def test_suggest_from_the_page(hearing, comments, planner_client):
    response = planner_client.post(URL + "suggest/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302 and response["Location"] == URL
    assert CommentGroup.objects.filter(hearing=hearing, automatic=True).exists()
    page = html(planner_client.get(URL, HTTP_ACCEPT_LANGUAGE="en"))
    assert "groups were suggested" in page


def test_a_stranger_posting_is_refused_and_recorded(hearing, comments):
    stranger = member("grp-stranger", Role.PLANNER, OrganisationFactory(code="grp-other-org"))

    response = signed_in(stranger).post(URL + "suggest/")

    assert response.status_code == 403
    assert not CommentGroup.objects.filter(hearing=hearing).exists()
    assert AuditRecord.objects.filter(action="comment_group.suggest", outcome="denied").exists()
    response = signed_in(stranger).post(URL + "merge/", {"groups": ["x"]})
    assert response.status_code == 403  # before the input is read


def test_rename_from_the_page(hearing, planner, planner_client):
    group = services.group_create(actor=planner, hearing=hearing, name="เดิม")

    response = planner_client.post(f"{URL}{group.pk}/rename/", {f"g{group.pk}-name": "ใหม่"})

    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "ใหม่"


def test_a_refused_rename_shows_the_board_with_the_problem(hearing, planner, planner_client):
    group = services.group_create(actor=planner, hearing=hearing, name="เดิม")

    response = planner_client.post(f"{URL}{group.pk}/rename/", {f"g{group.pk}-name": " "})

    assert response.status_code == 422
    assert 'class="error-summary"' in html(response)
    group.refresh_from_db()
    assert group.name == "เดิม"


def test_merge_the_ticked_groups(hearing, comments, planner, planner_client):
    first = services.group_create(
        actor=planner, hearing=hearing, name="ก", comments=[comments[21].pk]
    )
    second = services.group_create(
        actor=planner, hearing=hearing, name="ข", comments=[comments[22].pk, comments[23].pk]
    )

    response = planner_client.post(URL + "merge/", {"groups": [first.pk, second.pk]})

    assert response.status_code == 302
    assert list(groups(hearing)) == ["ข"]  # the larger group is kept
    assert groups(hearing)["ข"].comments.count() == 3


def test_merge_with_one_group_ticked_is_refused(hearing, planner, planner_client):
    first = services.group_create(actor=planner, hearing=hearing, name="ก")

    response = planner_client.post(URL + "merge/", {"groups": [first.pk]})

    assert response.status_code == 422


def test_merge_that_would_lose_an_answer_is_refused_with_the_reason(
    hearing, planner, planner_client
):
    first = services.group_create(actor=planner, hearing=hearing, name="ก")
    second = services.group_create(actor=planner, hearing=hearing, name="ข")
    Response.objects.create(hearing=hearing, group=second, decision=Decision.PARTLY, reason="ร")

    response = planner_client.post(
        URL + "merge/", {"groups": [first.pk, second.pk], "target": first.pk}
    )

    assert response.status_code == 409
    assert CommentGroup.objects.filter(pk=second.pk).exists()


def test_split_ticked_comments_into_a_new_group(hearing, comments, planner, planner_client):
    skills = services.group_create(
        actor=planner,
        hearing=hearing,
        name="ทักษะ",
        comments=[comments[n].pk for n in (12, 14, 18, 19, 20)],
    )
    prefix = f"g{skills.pk}"

    response = planner_client.post(
        f"{URL}{skills.pk}/comments/",
        {
            f"{prefix}-comments": [comments[n].pk for n in (18, 19, 20)],
            f"{prefix}-op": "split",
            f"{prefix}-name": "",
        },
    )

    assert response.status_code == 302
    assert skills.comments.count() == 2
    new = CommentGroup.objects.exclude(pk=skills.pk).get(hearing=hearing)
    assert "โปรแกรม" in new.name


def test_move_ticked_comments_to_another_group_and_out(hearing, comments, planner, planner_client):
    first = services.group_create(
        actor=planner, hearing=hearing, name="ก", comments=[comments[1].pk, comments[2].pk]
    )
    second = services.group_create(actor=planner, hearing=hearing, name="ข")
    prefix = f"g{first.pk}"

    response = planner_client.post(
        f"{URL}{first.pk}/comments/",
        {f"{prefix}-comments": [comments[1].pk], f"{prefix}-op": "move", f"{prefix}-to": second.pk},
    )
    assert response.status_code == 302
    assert list(second.comments.values_list("pk", flat=True)) == [comments[1].pk]

    response = planner_client.post(
        f"{URL}{first.pk}/comments/",
        {f"{prefix}-comments": [comments[2].pk], f"{prefix}-op": "move", f"{prefix}-to": "none"},
    )
    assert response.status_code == 302
    assert first.comments.count() == 0

    response = planner_client.post(
        f"{URL}{first.pk}/comments/",
        {f"{prefix}-comments": [comments[3].pk], f"{prefix}-op": "move"},
    )
    assert response.status_code == 422  # where to?


def test_make_a_group_of_comments_without_one(hearing, comments, planner_client):
    response = planner_client.post(
        URL + "comments/",
        {
            "free-comments": [comments[n].pk for n in (26, 27, 28)],
            "free-op": "create",
            "free-name": "ข้อมูลเปิดภาครัฐ",
        },
    )

    assert response.status_code == 302
    group = groups(hearing)["ข้อมูลเปิดภาครัฐ"]
    assert group.element_code == "grp-s3" and group.comments.count() == 3


def test_delete_a_group_from_the_page(hearing, planner, planner_client):
    group = services.group_create(actor=planner, hearing=hearing, name="ก")

    assert planner_client.post(f"{URL}{group.pk}/delete/").status_code == 302
    assert not CommentGroup.objects.filter(pk=group.pk).exists()
    assert planner_client.get(f"{URL}{group.pk}/delete/").status_code == 405


def test_with_htmx_the_redirect_brings_back_the_board(hearing, comments, planner_client):
    response = planner_client.post(URL + "suggest/", HTTP_HX_REQUEST="true", follow=True)

    assert response.status_code == 200
    assert 'id="main"' in html(response)  # the part htmx selects (hx-select="#main")
    assert 'id="groups-board"' in html(response)


def test_the_board_runs_a_fixed_number_of_queries(hearing, planner, django_assert_num_queries):
    client = signed_in(planner)

    def grow(n: int, start: int) -> None:
        rows = [COMMENTS[(start + i) % len(COMMENTS)] for i in range(n)]
        made = [
            add_comment(hearing, f"{body} ({start + i})", element)
            for i, (_n, element, _t, body) in enumerate(rows)
        ]
        group = services.group_create(
            actor=planner, hearing=hearing, name=f"กลุ่ม {start}", comments=[c.pk for c in made[:2]]
        )
        Response.objects.create(
            hearing=hearing, group=group, decision=Decision.ACCEPTED, reason="ร"
        )

    grow(3, 0)
    client.get(URL)  # warm up anything cached per process
    with CaptureQueriesContext(connection) as small:
        first = client.get(URL)
    grow(25, 3)
    services.groups_suggest(actor=planner, hearing=hearing)
    with django_assert_num_queries(len(small)):
        second = client.get(URL)

    assert first.status_code == second.status_code == 200
    assert (
        html(second).count('name="groups"') == CommentGroup.objects.filter(hearing=hearing).count()
    )
