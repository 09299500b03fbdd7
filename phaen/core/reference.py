"""Registry of reference-data loaders and the YAML reading they share.

Core sits below every app, so it cannot import them; each app registers its loader in
`AppConfig.ready()` with an order, and `phaen load-reference` runs them all in one transaction
(`phaen.core.services.reference_load_all`). A malformed file stops the load with a message that
names the file and the entry, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from phaen.core.errors import ApplicationError


class ReferenceError(ApplicationError):
    """A reference-data file is missing, malformed or inconsistent."""


@dataclass(order=True)
class Loader:
    order: int
    name: str = field(compare=False)
    load: Callable[[], dict[str, int]] = field(compare=False)


_LOADERS: dict[str, Loader] = {}


def register(name: str, order: int, load: Callable[[], dict[str, int]]) -> None:
    """Register `load` (returning counts by kind of row) under `name`, run in `order`."""
    _LOADERS[name] = Loader(order, name, load)


def loaders() -> list[Loader]:
    """Return the registered loaders in the order they run."""
    return sorted(_LOADERS.values())


def read_yaml(path: Path) -> Any:
    """Read a reference YAML file, turning every failure into a `ReferenceError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReferenceError(
            "reference_unreadable",
            f"Cannot read the reference file {path.name}: {exc.strerror}.",
            detail={"file": str(path)},
        ) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ReferenceError(
            "reference_malformed",
            f"The reference file {path.name} is not valid YAML{where}.",
            detail={"file": str(path)},
        ) from exc


def require(entry: dict[str, Any], key: str, where: str) -> Any:
    """Return `entry[key]`, or raise a `ReferenceError` naming the entry and the missing key."""
    if not isinstance(entry, dict):
        raise ReferenceError(
            "reference_malformed", f"{where}: expected a mapping, found {type(entry).__name__}."
        )
    value = entry.get(key)
    if value is None or value == "":
        raise ReferenceError("reference_malformed", f"{where}: the field '{key}' is required.")
    return value
