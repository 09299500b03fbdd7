"""The organisations API: open reads, guarded writes, the error shape and query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from phaen.orgs.models import Organisation, OrganisationAlias
from tests.orgs.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
URL = "/api/organisations"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

NEW = {
    "code": "test-new-agency",
    "name_th": "สำนักงานทดสอบใหม่",
    "name_en": "New Test Agency",
    "kind": "department",
    "parent": "mdes",
    "province": "40",
    "aliases": ["ทดสอบใหม่", "NTA"],
}


def send(client: Client, method: str, url: str, body: Any = None) -> Any:
    data = json.dumps(body) if body is not None else ""
    return getattr(client, method)(url, data, content_type="application/json", **EN)


def counts() -> tuple[int, int]:
    return Organisation.objects.count(), OrganisationAlias.objects.count()


# Reading ---------------------------------------------------------------------------------------


def test_the_list_is_paginated_and_open_to_everyone(client: Client) -> None:
    response = client.get(URL, {"page_size": 10})

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == Organisation.objects.count()
    assert body["page"] == 1
    assert len(body["items"]) == 10
    assert set(body["items"][0]) == {
        "code",
        "name_th",
        "name_en",
        "abbreviation_th",
        "abbreviation_en",
        "kind",
        "parent",
        "province",
        "website",
        "source",
        "is_active",
        "aliases",
    }


@pytest.mark.parametrize(
    ("params", "first"),
    [
        ({"q": "ดีป้า"}, "depa"),
        ({"q": "ดีอีเอส"}, "mdes"),
        ({"q": "สดช"}, "onde"),
        ({"q": "MDES"}, "mdes"),
        ({"kind": "university", "q": "RMUTI"}, "rmuti"),
        ({"parent": "nso", "q": "ระยอง"}, "nso-rayong"),
    ],
)
def test_the_list_searches_names_and_aliases(
    client: Client, params: dict[str, str], first: str
) -> None:
    items = client.get(URL, params).json()["items"]

    assert items[0]["code"] == first


def test_a_listed_organisation_shows_its_parent_province_and_aliases(client: Client) -> None:
    depa = client.get(URL, {"q": "depa"}).json()["items"][0]

    assert depa["parent"] == "mdes"
    assert depa["province"] is None
    assert "ดีป้า" in depa["aliases"]
    assert client.get(URL, {"q": "ก.บ.จ. จ.ขก."}).json()["items"][0]["province"] == "40"


def test_a_list_page_costs_the_same_queries_whatever_its_size(
    client: Client, django_assert_num_queries: Any
) -> None:
    OrganisationFactory.create_batch(30, parent=Organisation.objects.get(code="mdes"))
    total = Organisation.objects.count()
    for page_size in (1, 100):
        # The count, the page (with parents and provinces joined), the aliases.
        with django_assert_num_queries(3):
            response = client.get(URL, {"page_size": page_size})
        assert len(response.json()["items"]) == min(page_size, total)
    with django_assert_num_queries(3):
        client.get(URL, {"q": "ดีป้า", "page_size": 100})


def test_an_invalid_kind_filter_is_422_with_the_error_shape(client: Client) -> None:
    response = client.get(URL, {"kind": "guild"}, **EN)

    body = response.json()
    assert response.status_code == 422
    assert body["code"] == "invalid_input"
    assert body["message"] == "The request is not valid."
    assert "query.kind" in body["detail"]["fields"]


def test_one_organisation_with_its_children(client: Client) -> None:
    body = client.get(f"{URL}/nso").json()

    assert body["code"] == "nso"
    assert body["parent"] == "mdes"
    assert body["parent_organisation"]["name_th"] == "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม"
    assert [c["code"] for c in body["children"]] == [
        "nso-chachoengsao",
        "nso-chon-buri",
        "nso-rayong",
    ]


def test_an_unknown_organisation_is_404_with_the_error_shape(client: Client) -> None:
    response = client.get(f"{URL}/no-such-org", **EN)

    assert response.status_code == 404
    assert response.json() == {
        "code": "organisation_not_found",
        "message": "There is no organisation with the code no-such-org.",
        "detail": {"code": "no-such-org"},
    }


# Creating --------------------------------------------------------------------------------------


def test_an_editor_creates_an_organisation(editor_client: Client) -> None:
    response = send(editor_client, "post", URL, NEW)

    body = response.json()
    assert response.status_code == 201
    assert body["code"] == "test-new-agency"
    assert body["parent"] == "mdes"
    assert body["province"] == "40"
    assert sorted(body["aliases"]) == ["NTA", "ทดสอบใหม่"]
    assert editor_client.get(URL, {"q": "NTA"}).json()["items"][0]["code"] == "test-new-agency"


def test_a_reader_may_not_create_and_nothing_is_written(reader_client: Client) -> None:
    before = counts()

    response = send(reader_client, "post", URL, NEW)

    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "message": "You do not have permission to do this.",
        "detail": {"action": "add", "model": "organisation"},
    }
    assert counts() == before


def test_an_anonymous_visitor_may_not_create(client: Client) -> None:
    before = counts()

    response = send(client, "post", URL, NEW)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert counts() == before


def test_a_session_write_without_the_csrf_token_is_refused(editor: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    response = send(client, "post", URL, NEW)

    assert response.status_code == 403
    assert not Organisation.objects.filter(code=NEW["code"]).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "Bad Code"}, "code"),
        ({"kind": "guild"}, "kind"),
        ({"name_th": ""}, "name_th"),
        ({"aliases": "not-a-list"}, "aliases"),
    ],
)
def test_malformed_input_is_422_with_the_error_shape(
    editor_client: Client, changes: dict[str, Any], field: str
) -> None:
    before = counts()

    response = send(editor_client, "post", URL, {**NEW, **changes})

    body = response.json()
    assert response.status_code == 422
    assert body["code"] == "invalid_input"
    assert set(body) == {"code", "message", "detail"}
    assert field in body["detail"]["fields"]
    assert counts() == before


def test_an_alias_clash_is_422_naming_the_other_organisation(editor_client: Client) -> None:
    before = counts()

    response = send(editor_client, "post", URL, {**NEW, "aliases": ["ดีป้า"]})

    body = response.json()
    assert response.status_code == 422
    assert body["code"] == "alias_taken"
    assert body["detail"]["organisation"] == "depa"
    assert "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล" in body["message"]
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"code": "depa"}, "organisation_code_taken"),
        ({"parent": "no-such-org"}, "parent_not_found"),
        ({"province": "99"}, "province_not_found"),
        ({"website": "not a url"}, "invalid_organisation"),
    ],
)
def test_invalid_references_are_422(
    editor_client: Client, changes: dict[str, Any], code: str
) -> None:
    response = send(editor_client, "post", URL, {**NEW, **changes})

    assert response.status_code == 422
    assert response.json()["code"] == code


# Changing --------------------------------------------------------------------------------------


def test_an_editor_changes_only_the_fields_sent(editor_client: Client) -> None:
    response = send(editor_client, "patch", f"{URL}/nso-rayong", {"name_en": "Rayong Statistics"})

    body = response.json()
    assert response.status_code == 200
    assert body["name_en"] == "Rayong Statistics"
    assert body["name_th"] == "สำนักงานสถิติจังหวัดระยอง"
    assert body["parent"] == "nso"
    assert body["province"] == "21"


def test_a_null_parent_removes_it_and_aliases_are_replaced(editor_client: Client) -> None:
    response = send(
        editor_client, "patch", f"{URL}/nso-rayong", {"parent": None, "aliases": ["สถิติระยอง"]}
    )

    body = response.json()
    assert body["parent"] is None
    assert body["aliases"] == ["สถิติระยอง"]


def test_a_parent_cycle_is_422(editor_client: Client) -> None:
    response = send(editor_client, "patch", f"{URL}/mdes", {"parent": "depa"})

    assert response.status_code == 422
    assert response.json()["code"] == "organisation_parent_cycle"
    assert Organisation.objects.get(code="mdes").parent is None


def test_a_null_thai_name_is_422(editor_client: Client) -> None:
    response = send(editor_client, "patch", f"{URL}/nso-rayong", {"name_th": None})

    assert response.status_code == 422
    assert response.json()["detail"]["fields"] == {"name_th": "This field is required."}


def test_a_reader_may_not_change(reader_client: Client) -> None:
    response = send(reader_client, "patch", f"{URL}/depa", {"name_en": "Changed"})

    assert response.status_code == 403
    assert Organisation.objects.get(code="depa").name_en == "Digital Economy Promotion Agency"


def test_an_anonymous_visitor_may_not_change(client: Client) -> None:
    assert send(client, "patch", f"{URL}/depa", {"name_en": "Changed"}).status_code == 401


def test_changing_an_unknown_organisation_is_404(editor_client: Client) -> None:
    assert send(editor_client, "patch", f"{URL}/no-such-org", {"name_en": "X"}).status_code == 404


# Deleting --------------------------------------------------------------------------------------


def test_an_editor_deletes_an_unused_organisation(editor_client: Client) -> None:
    OrganisationFactory(code="test-deletable")

    response = send(editor_client, "delete", f"{URL}/test-deletable")

    assert response.status_code == 204
    assert not Organisation.objects.filter(code="test-deletable").exists()


def test_an_organisation_in_use_is_409(editor_client: Client) -> None:
    response = send(editor_client, "delete", f"{URL}/mdes")

    assert response.status_code == 409
    assert response.json()["code"] == "organisation_in_use"
    assert Organisation.objects.filter(code="mdes").exists()


@pytest.mark.parametrize(("client_fixture", "status"), [("reader_client", 403), ("client", 401)])
def test_deleting_needs_a_signed_in_user_with_the_permission(
    request: pytest.FixtureRequest, client_fixture: str, status: int
) -> None:
    OrganisationFactory(code="test-kept")
    client = request.getfixturevalue(client_fixture)

    response = send(client, "delete", f"{URL}/test-kept")

    assert response.status_code == status
    assert Organisation.objects.filter(code="test-kept").exists()


# Aliases ---------------------------------------------------------------------------------------


def test_adding_and_removing_an_alias(editor_client: Client) -> None:
    added = send(editor_client, "post", f"{URL}/nso/aliases", {"alias": "สถิติแห่งชาติ"})
    removed = send(editor_client, "delete", f"{URL}/nso/aliases/สสช.")

    assert added.status_code == 201
    assert "สถิติแห่งชาติ" in added.json()["aliases"]
    assert removed.status_code == 204
    assert "สสช." not in editor_client.get(f"{URL}/nso").json()["aliases"]


def test_an_alias_of_another_organisation_cannot_be_added(editor_client: Client) -> None:
    response = send(editor_client, "post", f"{URL}/nso/aliases", {"alias": "MDES"})

    assert response.status_code == 422
    assert response.json()["detail"]["organisation"] == "mdes"


def test_removing_an_alias_it_does_not_have_is_404(editor_client: Client) -> None:
    response = send(editor_client, "delete", f"{URL}/nso/aliases/ดีป้า")

    assert response.status_code == 404
    assert response.json()["code"] == "alias_not_found"


@pytest.mark.parametrize(("client_fixture", "status"), [("reader_client", 403), ("client", 401)])
def test_alias_changes_need_a_signed_in_user_with_the_permission(
    request: pytest.FixtureRequest, client_fixture: str, status: int
) -> None:
    client = request.getfixturevalue(client_fixture)
    before = counts()

    added = send(client, "post", f"{URL}/nso/aliases", {"alias": "ใหม่"})
    removed = send(client, "delete", f"{URL}/nso/aliases/NSO")

    assert (added.status_code, removed.status_code) == (status, status)
    assert counts() == before
