"""Registry of tabular exports and the JSON / CSV writers they share.

Apps register a function returning column names and rows in `AppConfig.ready()`;
`phaen export NAME --format csv|json` and the export links of list pages use the same rows.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Rows = Iterable[dict[str, Any]]


@dataclass(frozen=True)
class Export:
    name: str
    columns: list[str]
    rows: Callable[[], Rows]


_EXPORTS: dict[str, Export] = {}


def register(name: str, columns: list[str], rows: Callable[[], Rows]) -> None:
    """Register an export called `name` with its column names and a row generator."""
    _EXPORTS[name] = Export(name, columns, rows)


def names() -> list[str]:
    """Return the registered export names, sorted."""
    return sorted(_EXPORTS)


def get(name: str) -> Export:
    """Return the export called `name`; `KeyError` when there is none."""
    return _EXPORTS[name]


def write_csv(export: Export, rows: Rows, out: io.TextIOBase | Any) -> None:
    """Write rows as UTF-8 CSV with a header (Excel opens it when written with a BOM)."""
    writer = csv.DictWriter(out, fieldnames=export.columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})


def write_json(export: Export, rows: Rows, out: io.TextIOBase | Any) -> None:
    """Write rows as a JSON array, Thai text unescaped."""
    json.dump(list(rows), out, ensure_ascii=False, indent=2, default=str)
    out.write("\n")


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return value
