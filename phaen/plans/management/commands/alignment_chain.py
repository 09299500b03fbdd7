"""`phaen alignment-chain ELEMENT_CODE`: print the chain from an element up to the top."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from phaen.core.errors import ApplicationError
from phaen.core.thai_calendar import format_be_period
from phaen.plans import selectors
from phaen.plans.models import Contribution

LEVEL = {1: "L1", 2: "L2", 3: "L3"}


class Command(BaseCommand):
    help = "Print every alignment path from a plan element up to the National Strategy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("element_code", help="The element's code, e.g. eec2-a1")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            element = selectors.element_get(options["element_code"])
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        chain = selectors.alignment_chain(element)
        plan = element.plan
        self.stdout.write(
            f"{element.code}  {element}  —  {plan.name_th} "
            f"({format_be_period(plan.start_year, plan.end_year)}, {LEVEL[plan.level]})"
        )
        if not chain.paths:
            self.stdout.write("  " + _("serves nothing above yet."))
            return
        for number, path in enumerate(chain.paths, start=1):
            self.stdout.write(_("path %(n)s:") % {"n": number})
            for depth, step in enumerate(path[1:], start=1):
                if step.relation == "part_of":
                    arrow = _("part of")
                else:
                    arrow = _("serves (%(how)s)") % {
                        "how": Contribution(step.contribution).label if step.contribution else ""
                    }
                target = step.element
                self.stdout.write(
                    f"{'  ' * depth}└ {arrow} → [{LEVEL[target.plan.level]}] "
                    f"{target.code}  {target}  ({target.plan.short_name_th or target.plan.name_th})"
                )
        if chain.reaches_national_strategy:
            self.stdout.write(_("The chain reaches the National Strategy."))
        else:
            self.stdout.write(_("The chain does not reach the National Strategy."))
