"""Registry of spreadsheet importers, and the contract every importer keeps.

An app describes one kind of upload (actuals, projects with budgets, agreements) as an
`Importer` and registers it in `AppConfig.ready()`:

    imports.register(ActualsImporter())

The machinery in `phaen.core.import_jobs` does the rest for every importer alike: it writes the
downloadable XLSX template from `columns`, reads an uploaded workbook, turns each cell into the
column's type (a text in a number column is a row error, not a crash), calls `check_row` for every
row, and commits only when no row has an error, in one transaction, with `commit`. Small files run
in the request; large ones as a background job with a progress bar (`ImportJob`).

Rules for importers:

- `prepare` loads every look-up the rows need in a fixed number of queries (codes of provinces,
  indicators, organisations ...), so checking 100,000 rows runs no query per row.
- `check_row` never writes. It returns the cleaned row and its errors, each naming the column
  (by its Thai header) with a message in the user's language.
- `commit` writes the cleaned rows through the app's own rules (permissions, audit record) and
  returns a summary such as `{"created": 10, "updated": 2}`. The caller holds the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.functional import Promise


class ColumnKind:
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Column:
    """One column of an import template."""

    key: str
    header: str | Promise  # the Thai header written in the template and matched on upload
    kind: str = ColumnKind.TEXT
    required: bool = False
    help: str | Promise = ""  # explained on the template's second sheet
    example: Any = None  # the example row of the template


@dataclass
class RowError:
    row: int  # the spreadsheet's own row number (the header is row 1)
    column: str  # the column's header as the user sees it; "" for the row as a whole
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class CheckedRow:
    row: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)


class Importer(Protocol):
    name: str  # the registry key and URL part: "actuals", "projects", "agreements"
    label: str | Promise

    @property
    def columns(self) -> list[Column]: ...

    def prepare(self, *, actor: Any, options: dict[str, Any]) -> Any:
        """Load the look-ups every row needs, in a fixed number of queries; check `actor` may
        import at all (raise `PermissionDenied`)."""
        ...

    def check_row(self, row: int, values: dict[str, Any], context: Any) -> CheckedRow:
        """Check one row whose cells are already typed; never write."""
        ...

    def commit(self, rows: list[CheckedRow], *, actor: Any, context: Any) -> dict[str, int]:
        """Write every valid row; called inside the caller's transaction, only when no row has
        an error. Returns counts for the summary."""
        ...


_IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> None:
    """Register an importer under its `name`."""
    _IMPORTERS[importer.name] = importer


def names() -> list[str]:
    """Return the registered importer names, sorted."""
    return sorted(_IMPORTERS)


def get(name: str) -> Importer:
    """Return the importer called `name`; `KeyError` when there is none."""
    return _IMPORTERS[name]
