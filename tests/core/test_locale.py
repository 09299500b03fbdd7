"""The Thai catalogue: complete, and every placeholder carried over."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "phaen" / "locale" / "th" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w*\}")


def _entries() -> list[dict[str, str]]:
    """Read the catalogue into entries of flags, msgid and msgstr (msgstr[0] for plurals)."""
    entries = []
    for block in CATALOGUE.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                if key:
                    entry[key] += line[1:-1]
            else:
                key, _, rest = line.partition(" ")
                key = {"msgstr[0]": "msgstr"}.get(key, key)
                entry[key] = rest[1:-1]
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def test_every_message_has_a_thai_translation_that_is_not_fuzzy() -> None:
    entries = _entries()

    untranslated = [e["msgid"] for e in entries if not e.get("msgstr")]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert entries
    assert untranslated == [], "translate these in phaen/locale/th/LC_MESSAGES/django.po"
    assert fuzzy == [], "check these translations and remove the fuzzy flag"


def test_thai_translations_keep_every_placeholder() -> None:
    for entry in _entries():
        assert set(PLACEHOLDER.findall(entry["msgid"])) == set(
            PLACEHOLDER.findall(entry.get("msgstr", ""))
        ), entry["msgid"]
