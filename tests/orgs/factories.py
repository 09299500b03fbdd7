"""Factories for organisation tests."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from phaen.core.thai_text import search_document
from phaen.orgs.models import Organisation, OrganisationAlias, OrganisationKind


class OrganisationFactory(factory.django.DjangoModelFactory):
    """An organisation made directly, with its search document filled in as the services would."""

    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"test-org-{n}")
    name_th = factory.Sequence(lambda n: f"หน่วยงานทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Test Agency {n}")
    abbreviation_th = ""
    abbreviation_en = ""
    kind = OrganisationKind.DEPARTMENT
    search_document = factory.LazyAttribute(
        lambda o: search_document(o.name_th, o.name_en, o.abbreviation_th, o.abbreviation_en)
    )


class OrganisationAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationAlias

    organisation = factory.SubFactory(OrganisationFactory)
    alias = factory.Sequence(lambda n: f"alias-{n}")
    normalized = factory.LazyAttribute(lambda o: o.alias.casefold())


class UserFactory(factory.django.DjangoModelFactory):
    """A user; `permissions=["add_organisation", …]` grants model permissions by codename."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user-{n}")
    password = factory.django.Password("x-test-pass")

    @factory.post_generation
    def permissions(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.user_permissions.set(Permission.objects.filter(codename__in=extracted))
