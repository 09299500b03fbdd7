"""The admin for the geography: browse and search, never edit (the loader owns the rows)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from phaen.geography.models import Province
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(db: Any) -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.org", "x-root-pass")
    return signed_in(user)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/geography/region/",
        "/admin/geography/province/?q=ขอนแก่น",
        "/admin/geography/district/?q=4001",
        "/admin/geography/subdistrict/?q=40000",
        "/admin/geography/specialzone/",
    ],
)
def test_the_geography_lists_open_in_the_admin(superuser_client: Client, url: str) -> None:
    assert superuser_client.get(url).status_code == 200


def test_a_province_can_be_viewed_but_not_changed_added_or_deleted(
    superuser_client: Client,
) -> None:
    province = Province.objects.get(code="40")
    url = f"/admin/geography/province/{province.pk}/change/"

    assert superuser_client.get(url).status_code == 200
    response = superuser_client.post(url, {"code": "40", "name_th": "เปลี่ยน", "name_en": "X"})
    assert response.status_code == 403
    assert superuser_client.get("/admin/geography/province/add/").status_code == 403
    assert (
        superuser_client.post(f"/admin/geography/province/{province.pk}/delete/").status_code == 403
    )
    province.refresh_from_db()
    assert province.name_th == "ขอนแก่น"
