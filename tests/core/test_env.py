"""The one environment reader: strict parsing with messages naming the variable."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env


def test_booleans_and_integers_parse_strictly(monkeypatch):
    monkeypatch.setenv("PHAEN_X", "yes")
    assert env.boolean("PHAEN_X") is True
    monkeypatch.setenv("PHAEN_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="PHAEN_X must be true or false"):
        env.boolean("PHAEN_X")
    monkeypatch.setenv("PHAEN_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="PHAEN_N must be a whole number"):
        env.integer("PHAEN_N", 1)


def test_lists_and_database_url(monkeypatch):
    monkeypatch.setenv("PHAEN_HOSTS", "a.example, b.example,,")
    assert env.strings("PHAEN_HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.setenv("DATABASE_URL", "")
    assert env.database_url("sqlite:///x") == "sqlite:///x"
