"""`phaen alignment-chain ELEMENT_CODE`: print the chain from an element up to the top."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phaen.core.errors import ApplicationError
from phaen.core.thai_calendar import format_be_period
from phaen.plans import selectors, services

LEVEL = {1: "L1", 2: "L2", 3: "L3"}


class Command(BaseCommand):
    help = "Print every alignment path from a plan element up to the National Strategy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("element_code", help="The element's code, e.g. eec2-a1")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            element = services.element_by_code(options["element_code"])
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        chain = selectors.alignment_chain(element)
        plan = element.plan
        self.stdout.write(
            f"{element.code}  {element}  —  {plan.name_th} "
            f"({format_be_period(plan.start_year, plan.end_year)}, {LEVEL[plan.level]})"
        )
        if not chain.paths:
            self.stdout.write("  serves nothing above yet.")
            return
        for number, path in enumerate(chain.paths, start=1):
            self.stdout.write(f"path {number}:")
            for depth, step in enumerate(path[1:], start=1):
                arrow = (
                    "part of" if step.relation == "part_of" else (f"serves ({step.contribution})")
                )
                target = step.element
                self.stdout.write(
                    f"{'  ' * depth}└ {arrow} → [{LEVEL[target.plan.level]}] "
                    f"{target.code}  {target}  ({target.plan.short_name_th or target.plan.name_th})"
                )
        verdict = "reaches" if chain.reaches_national_strategy else "does not reach"
        self.stdout.write(f"The chain {verdict} the National Strategy.")
