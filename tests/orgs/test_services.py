"""Organisation services: reference load, create, update, delete, aliases, permissions."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from phaen.core import thai_text
from phaen.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from phaen.core.reference import read_yaml
from phaen.orgs import selectors, services
from phaen.orgs.models import Organisation, OrganisationAlias
from tests.orgs.factories import OrganisationFactory, UserFactory
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int]:
    return Organisation.objects.count(), OrganisationAlias.objects.count()


# Reference data --------------------------------------------------------------------------------


def test_the_reference_organisations_are_loaded_with_parents_provinces_and_aliases() -> None:
    entries = read_yaml(services.ORGANISATIONS_FILE)["organisations"]
    loaded = {o.code: o for o in Organisation.objects.select_related("parent", "province")}

    assert {entry["code"] for entry in entries} <= set(loaded)
    assert all(entry.get("source") for entry in entries)
    assert loaded["depa"].parent == loaded["mdes"]
    assert loaded["onde"].parent == loaded["mdes"]
    assert loaded["nso-rayong"].parent == loaded["nso"]
    assert loaded["nso-rayong"].province.code == "21"
    assert loaded["kbj-40"].parent == loaded["province-office-40"]
    assert loaded["kbj-40"].province.code == "40"
    assert loaded["khao-bai-si-subdistrict-municipality"].province.code == "22"
    assert loaded["dga"].name_th == "สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)"
    assert loaded["nt"].name_th == "บริษัท โทรคมนาคมแห่งชาติ จำกัด (มหาชน)"
    depa_aliases = set(loaded["depa"].aliases.values_list("normalized", flat=True))
    assert {"ดีป้า", "depa"} <= depa_aliases
    assert "ดีป้า" in loaded["depa"].search_document


def test_the_pilot_provinces_each_have_an_administration_and_a_committee() -> None:
    for code in ("40", "34", "45", "50", "83", "90", "65", "21", "30"):
        office = Organisation.objects.get(code=f"province-office-{code}")
        committee = Organisation.objects.get(code=f"kbj-{code}")
        assert office.province_id == committee.province_id
        assert committee.parent == office
        assert committee.abbreviation_th == "ก.บ.จ."


def test_reloading_the_reference_organisations_writes_nothing() -> None:
    before = counts()

    with CaptureQueriesContext(connection) as queries:
        result = services.organisation_load_reference()

    assert (result["organisations"], result["aliases"]) == before
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_reloading_repairs_reference_fields_and_keeps_aliases_users_added(editor: Any) -> None:
    depa = Organisation.objects.get(code="depa")
    Organisation.objects.filter(pk=depa.pk).update(name_en="Wrong", parent=None)
    services.organisation_alias_add(actor=editor, organisation=depa, alias="สำนักงานดีป้า")

    services.organisation_load_reference()

    depa.refresh_from_db()
    assert depa.name_en == "Digital Economy Promotion Agency"
    assert depa.parent is not None and depa.parent.code == "mdes"
    assert depa.aliases.filter(alias="สำนักงานดีป้า").exists()


# Create ----------------------------------------------------------------------------------------


def test_an_editor_creates_an_organisation_with_aliases(editor: Any) -> None:
    organisation = services.organisation_create(
        actor=editor,
        code="test-digital-office",
        name_th="  สำนักงาน   ดิจิทัลทดสอบ ",
        name_en="Test Digital Office",
        abbreviation_th="สดท.",
        kind="department",
        parent_code="mdes",
        province_code="40",
        website="https://example.go.th",
        aliases=["ดิจิทัลทดสอบ", "TDO", "tdo"],
    )

    organisation.refresh_from_db()
    assert organisation.name_th == "สำนักงาน ดิจิทัลทดสอบ"
    assert organisation.parent is not None and organisation.parent.code == "mdes"
    assert organisation.province is not None and organisation.province.code == "40"
    assert sorted(organisation.aliases.values_list("alias", flat=True)) == ["TDO", "ดิจิทัลทดสอบ"]
    assert "tdo" in organisation.search_document
    assert selectors.organisation_resolve("TDO") == organisation


@pytest.mark.parametrize(
    "actor",
    [
        pytest.param(lambda: UserFactory(), id="no permission"),
        pytest.param(lambda: UserFactory(permissions=["change_organisation"]), id="change only"),
        pytest.param(
            lambda: UserFactory(permissions=["add_organisation"], is_active=False), id="inactive"
        ),
        pytest.param(lambda: AnonymousUser(), id="anonymous"),
        pytest.param(lambda: None, id="nobody"),
    ],
)
def test_creating_without_the_permission_is_refused_and_writes_nothing(actor: Any) -> None:
    before = counts()

    with pytest.raises(PermissionDenied) as error:
        services.organisation_create(
            actor=actor(), code="refused", name_th="หน่วยงาน", kind="department", aliases=["x"]
        )

    assert error.value.code == "permission_denied"
    assert error.value.http_status == 403
    assert counts() == before


def test_invalid_fields_are_all_reported_and_nothing_is_written(editor: Any) -> None:
    before = counts()

    with pytest.raises(ValidationFailed) as error:
        services.organisation_create(
            actor=editor,
            code="Not A Slug",
            name_th="   ",
            kind="guild",
            website="ftp://example.org",
        )

    assert error.value.code == "invalid_organisation"
    assert error.value.http_status == 422
    assert set(error.value.detail["fields"]) == {"code", "name_th", "kind", "website"}
    assert counts() == before


def test_a_taken_code_is_refused(editor: Any) -> None:
    with pytest.raises(ValidationFailed) as error:
        services.organisation_create(
            actor=editor, code="depa", name_th="อีกหน่วยงาน", kind="department"
        )

    assert error.value.code == "organisation_code_taken"


@pytest.mark.parametrize("alias", ["ดีป้า", "DEPA", "  depa "])
def test_an_alias_of_another_organisation_is_refused_naming_it(editor: Any, alias: str) -> None:
    before = counts()

    with pytest.raises(ValidationFailed) as error:
        services.organisation_create(
            actor=editor,
            code="new-agency",
            name_th="หน่วยงานใหม่",
            kind="department",
            aliases=[alias],
        )

    assert error.value.code == "alias_taken"
    assert error.value.detail["organisation"] == "depa"
    assert "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล" in str(error.value.message)
    assert counts() == before


@pytest.mark.parametrize(
    ("parent", "province", "code"),
    [("no-such-org", None, "parent_not_found"), (None, "99", "province_not_found")],
)
def test_unknown_parent_or_province_is_refused(
    editor: Any, parent: str | None, province: str | None, code: str
) -> None:
    before = counts()

    with pytest.raises(ValidationFailed) as error:
        services.organisation_create(
            actor=editor,
            code="orphan",
            name_th="หน่วยงาน",
            kind="department",
            parent_code=parent,
            province_code=province,
        )

    assert error.value.code == code
    assert counts() == before


# Update ----------------------------------------------------------------------------------------


def test_an_editor_changes_names_parent_and_aliases(editor: Any) -> None:
    organisation = OrganisationFactory()
    OrganisationAlias.objects.create(organisation=organisation, alias="เก่า", normalized="เก่า")

    services.organisation_update(
        actor=editor,
        organisation=organisation,
        changes={
            "name_en": "Renamed Agency",
            "parent_code": "onde",
            "aliases": ["ชื่อใหม่", "NEWNAME"],
        },
    )

    organisation.refresh_from_db()
    assert organisation.name_en == "Renamed Agency"
    assert organisation.parent is not None and organisation.parent.code == "onde"
    assert sorted(organisation.aliases.values_list("normalized", flat=True)) == [
        "newname",
        "ชื่อใหม่",
    ]
    assert "renamed" in organisation.search_document
    assert "เก่า" not in organisation.search_document
    assert selectors.organisation_resolve("newname") == organisation


def test_clearing_the_parent_and_province(editor: Any) -> None:
    organisation = Organisation.objects.get(code="nso-rayong")

    services.organisation_update(
        actor=editor,
        organisation=organisation,
        changes={"parent_code": None, "province_code": None},
    )

    organisation.refresh_from_db()
    assert organisation.parent is None
    assert organisation.province is None


@pytest.mark.parametrize("new_parent", ["mdes", "depa"])
def test_a_parent_that_makes_a_cycle_is_refused(editor: Any, new_parent: str) -> None:
    # mdes is depa's parent: neither mdes itself nor depa may become mdes's parent.
    mdes = Organisation.objects.get(code="mdes")

    with pytest.raises(ValidationFailed) as error:
        services.organisation_update(
            actor=editor, organisation=mdes, changes={"parent_code": new_parent}
        )

    assert error.value.code == "organisation_parent_cycle"
    mdes.refresh_from_db()
    assert mdes.parent is None


def test_a_deep_cycle_is_refused(editor: Any) -> None:
    # nso → nso-rayong: nso's grandparent may not become nso-rayong.
    mdes = Organisation.objects.get(code="mdes")

    with pytest.raises(ValidationFailed):
        services.organisation_update(
            actor=editor, organisation=mdes, changes={"parent_code": "nso-rayong"}
        )


def test_updating_with_a_taken_alias_changes_nothing(editor: Any) -> None:
    onde = Organisation.objects.get(code="onde")
    aliases_before = sorted(onde.aliases.values_list("alias", flat=True))

    with pytest.raises(ValidationFailed) as error:
        services.organisation_update(
            actor=editor,
            organisation=onde,
            changes={"name_en": "Should not stick", "aliases": ["ONDE", "MDES"]},
        )

    assert error.value.code == "alias_taken"
    assert error.value.detail["organisation"] == "mdes"
    onde.refresh_from_db()
    assert onde.name_en == "Office of the National Digital Economy and Society Commission"
    assert sorted(onde.aliases.values_list("alias", flat=True)) == aliases_before


def test_updating_without_the_permission_is_refused(reader: Any) -> None:
    onde = Organisation.objects.get(code="onde")

    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=reader, organisation=onde, changes={"name_en": "X"})

    onde.refresh_from_db()
    assert onde.name_en != "X"


# Delete ----------------------------------------------------------------------------------------


def test_an_editor_deletes_an_organisation_and_its_aliases(editor: Any) -> None:
    organisation = OrganisationFactory()
    OrganisationAlias.objects.create(organisation=organisation, alias="ลบได้", normalized="ลบได้")

    services.organisation_delete(actor=editor, organisation=organisation)

    assert not Organisation.objects.filter(pk=organisation.pk).exists()
    assert not OrganisationAlias.objects.filter(normalized="ลบได้").exists()


def test_an_organisation_with_sub_organisations_is_not_deleted(editor: Any) -> None:
    mdes = Organisation.objects.get(code="mdes")

    with pytest.raises(ApplicationError) as error:
        services.organisation_delete(actor=editor, organisation=mdes)

    assert error.value.code == "organisation_in_use"
    assert error.value.http_status == 409
    assert "depa" in error.value.detail["children"]
    assert Organisation.objects.filter(code="mdes").exists()


def test_an_organisation_that_owns_plans_is_not_deleted(editor: Any) -> None:
    nesdc = Organisation.objects.get(code="nesdc")
    assert nesdc.plans.exists()

    with pytest.raises(ApplicationError) as error:
        services.organisation_delete(actor=editor, organisation=nesdc)

    assert error.value.code == "organisation_in_use"
    assert "plans.plan.owner" in error.value.detail["referred_by"]
    assert Organisation.objects.filter(code="nesdc").exists()


def test_an_organisation_that_is_only_a_plan_partner_is_not_deleted(editor: Any) -> None:
    # Deleting would silently drop it from the plan's partners, so it is refused too.
    organisation = OrganisationFactory()
    PlanFactory().partners.add(organisation)

    with pytest.raises(ApplicationError) as error:
        services.organisation_delete(actor=editor, organisation=organisation)

    assert error.value.detail["referred_by"] == ["plans.plan.partners"]
    assert Organisation.objects.filter(pk=organisation.pk).exists()


def test_deleting_needs_the_delete_permission() -> None:
    organisation = OrganisationFactory()
    actor = UserFactory(permissions=["add_organisation", "change_organisation"])

    with pytest.raises(PermissionDenied):
        services.organisation_delete(actor=actor, organisation=organisation)

    assert Organisation.objects.filter(pk=organisation.pk).exists()


# Aliases ---------------------------------------------------------------------------------------


def test_adding_an_alias_makes_the_organisation_findable_by_it(editor: Any) -> None:
    organisation = OrganisationFactory()

    alias = services.organisation_alias_add(
        actor=editor, organisation=organisation, alias=" ศูนย์ทดสอบ "
    )
    again = services.organisation_alias_add(
        actor=editor, organisation=organisation, alias="ศูนย์ทดสอบ"
    )

    assert again == alias
    assert alias.normalized == thai_text.normalize("ศูนย์ทดสอบ")
    assert [o.code for o in selectors.organisation_list(search="ศูนย์ทดสอบ")] == [organisation.code]


def test_adding_another_organisations_alias_is_refused(editor: Any) -> None:
    organisation = OrganisationFactory()

    with pytest.raises(ValidationFailed) as error:
        services.organisation_alias_add(actor=editor, organisation=organisation, alias="สดช.")

    assert error.value.code == "alias_taken"
    assert error.value.detail["organisation"] == "onde"
    assert not organisation.aliases.exists()


def test_an_empty_alias_is_refused(editor: Any) -> None:
    with pytest.raises(ValidationFailed):
        services.organisation_alias_add(
            actor=editor, organisation=OrganisationFactory(), alias="   "
        )


def test_removing_an_alias(editor: Any) -> None:
    depa = Organisation.objects.get(code="depa")

    services.organisation_alias_remove(actor=editor, organisation=depa, alias="DEPA")

    depa.refresh_from_db()
    assert not depa.aliases.filter(normalized="depa").exists()
    with pytest.raises(NotFound) as error:
        services.organisation_alias_remove(actor=editor, organisation=depa, alias="depa")
    assert error.value.code == "alias_not_found"


def test_alias_changes_need_the_change_permission(reader: Any) -> None:
    depa = Organisation.objects.get(code="depa")

    with pytest.raises(PermissionDenied):
        services.organisation_alias_add(actor=reader, organisation=depa, alias="ใหม่")
    with pytest.raises(PermissionDenied):
        services.organisation_alias_remove(actor=reader, organisation=depa, alias="ดีป้า")

    assert depa.aliases.filter(normalized="ดีป้า").exists()
    assert not depa.aliases.filter(normalized="ใหม่").exists()
