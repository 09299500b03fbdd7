"""Reading organisations: search by names and aliases, filters, resolution, the hierarchy."""

from __future__ import annotations

from typing import Any

import pytest

from phaen.core.errors import NotFound
from phaen.orgs import selectors
from phaen.orgs.models import Organisation
from tests.orgs.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def codes(**filters: Any) -> list[str]:
    return [o.code for o in selectors.organisation_list(**filters)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ดีป้า", "depa"),
        ("depa", "depa"),
        ("DEPA", "depa"),
        ("ดีอีเอส", "mdes"),
        ("ดีอี", "mdes"),
        ("MDES", "mdes"),
        ("สดช", "onde"),
        ("สดช.", "onde"),
        ("ONDE", "onde"),
        ("สพร.", "dga"),
        ("สภาพัฒน์", "nesdc"),
        ("สศช.", "nesdc"),
        ("สกพอ.", "eeco"),
        ("EEC", "eeco"),
        ("กพอ.", "eec-policy-committee"),
        ("ครม.", "cabinet"),
        ("NT", "nt"),
        ("ก.บ.จ. จ.ขก.", "kbj-40"),
    ],
)
def test_an_alias_or_abbreviation_finds_its_organisation_first(query: str, expected: str) -> None:
    found = codes(search=query)

    assert found, f"{query!r} found nothing"
    assert found[0] == expected


def test_every_word_of_a_thai_query_must_match() -> None:
    found = codes(search="กระทรวงดิจิทัล")

    assert "mdes" in found
    assert "mdes-ops" in found  # สำนักงานปลัดกระทรวงดิจิทัล…
    assert "onde" not in found  # has ดิจิทัล but not กระทรวง


def test_an_english_query_matches_english_names() -> None:
    assert codes(search="statistical office rayong") == ["nso-rayong"]


def test_a_query_matching_nothing_finds_nothing() -> None:
    assert codes(search="ไม่มีหน่วยงานนี้แน่นอน") == []


def test_a_shared_abbreviation_lists_every_holder() -> None:
    found = codes(search="ก.บ.จ.")

    assert len(found) == 9
    assert all(code.startswith("kbj-") for code in found)


def test_filter_by_kind_and_parent() -> None:
    universities = codes(kind="university")
    under_nso = codes(parent="nso")

    assert sorted(universities) == ["nrru", "rmuti", "sut"]
    assert sorted(under_nso) == ["nso-chachoengsao", "nso-chon-buri", "nso-rayong"]
    assert codes(kind="university", search="สุรนารี") == ["sut"]


def test_an_unknown_parent_filter_is_not_found() -> None:
    with pytest.raises(NotFound) as error:
        selectors.organisation_list(parent="no-such-org")

    assert error.value.code == "organisation_not_found"


def test_listing_takes_the_same_queries_however_many_rows(django_assert_num_queries: Any) -> None:
    # Rows, then their aliases: parents and provinces are joined, never fetched per row.
    with django_assert_num_queries(2):
        rows = [
            (o.parent and o.parent.code, o.province and o.province.code, list(o.aliases.all()))
            for o in selectors.organisation_list()
        ]
    OrganisationFactory.create_batch(20, parent=Organisation.objects.get(code="mdes"))
    with django_assert_num_queries(2):
        more = [
            (o.parent and o.parent.code, o.province and o.province.code, list(o.aliases.all()))
            for o in selectors.organisation_list(search="ทดสอบ")
        ]

    assert len(rows) >= 44
    assert len(more) == 20


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ดีป้า", "depa"),
        ("สำนักงานส่งเสริมเศรษฐกิจดิจิทัล", "depa"),
        ("Digital Economy Promotion Agency", "depa"),
        ("digital economy promotion agency", "depa"),
        ("กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม", "mdes"),
        ("สดช.", "onde"),
        ("จังหวัดขอนแก่น", "province-office-40"),
        ("ศาลากลางจังหวัดขอนแก่น", "province-office-40"),
        ("sut", "sut"),
        ("nso-rayong", "nso-rayong"),
    ],
)
def test_resolve_names_an_organisation_exactly(name: str, expected: str) -> None:
    organisation = selectors.organisation_resolve(name)

    assert organisation is not None
    assert organisation.code == expected


@pytest.mark.parametrize("name", ["ก.บ.จ.", "ดิจิทัล", "", "   "])
def test_resolve_refuses_to_guess(name: str) -> None:
    assert selectors.organisation_resolve(name) is None


def test_get_brings_parent_children_and_aliases(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(3):
        mdes = selectors.organisation_get("mdes")
        children = [child.code for child in mdes.children.all()]
        aliases = [alias.alias for alias in mdes.aliases.all()]

    assert {"depa", "onde", "nt", "nso", "mdes-ops"} <= set(children)
    assert "ดีอีเอส" in aliases


def test_the_tree_under_an_organisation(django_assert_num_queries: Any) -> None:
    mdes = Organisation.objects.get(code="mdes")

    with django_assert_num_queries(1):
        tree = selectors.organisation_tree(mdes)

    by_code = {child.organisation.code: child for child in tree.children}
    assert tree.organisation == mdes
    assert sorted(c.organisation.code for c in by_code["nso"].children) == [
        "nso-chachoengsao",
        "nso-chon-buri",
        "nso-rayong",
    ]
    assert by_code["depa"].children == []
