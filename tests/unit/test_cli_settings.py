"""The command line's reader of GRAPH_* (no pydantic-settings) agrees with Settings."""

from __future__ import annotations

import dataclasses
import os

import pytest
from pydantic import ValidationError

from graph_service.cli_settings import CliSettings, read_settings
from graph_service.settings import Settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.lower().startswith("graph_"):
            monkeypatch.delenv(key)


def pydantic_reads() -> CliSettings:
    return CliSettings(**Settings().model_dump())


def test_same_fields_types_and_defaults() -> None:
    ours = {f.name: (f.type, f.default) for f in dataclasses.fields(CliSettings)}
    theirs = {
        name: (field.annotation.__name__, field.default)  # type: ignore[union-attr]
        for name, field in Settings.model_fields.items()
    }
    assert ours == theirs
    assert read_settings() == pydantic_reads() == CliSettings()


CASES = [
    {"GRAPH_STORE": "/tmp/some where/g.db"},
    {"GRAPH_STORE": "bolt://user:pw@host:7687", "GRAPH_NEO4J_PASSWORD": " spaced "},
    {"graph_store": "lower.db", "Graph_Port": "9000"},
    {"GRAPH_PORT": "0", "GRAPH_MAX_PAGE": "-5", "GRAPH_MAX_UPLOAD_MB": "123456789"},
    {"GRAPH_QUERY_TIMEOUT": "0"},
    {"GRAPH_QUERY_TIMEOUT": "2.5"},
    {"GRAPH_QUERY_TIMEOUT": "-0.25"},
    {"GRAPH_QUERY_TIMEOUT": "0.1"},
    {"GRAPH_QUERY_TIMEOUT": "1e3"},
    {"GRAPH_QUERY_TIMEOUT": " 7 "},
    {"GRAPH_PORT": "08000"},
    {"GRAPH_PORT": " 8001"},
    {"GRAPH_PORT": "8_002"},
    {"GRAPH_PORT": "+8003"},
    {"GRAPH_PUBLIC_READS": "true"},
    {"GRAPH_PUBLIC_READS": "FALSE"},
    {"GRAPH_PUBLIC_READS": "Yes"},
    {"GRAPH_PUBLIC_READS": "off"},
    {"GRAPH_PUBLIC_READS": "1"},
    {"GRAPH_PUBLIC_READS": "0"},
    {"GRAPH_PUBLIC_READS": "t"},
    {"GRAPH_PUBLIC_READS": "N"},
    {"GRAPH_API_KEYS": "read:abc, write:def", "GRAPH_PUBLIC_PERSON_FIELDS": ""},
    {"GRAPH_HOST": "", "GRAPH_NEO4J_DATABASE": "graph", "GRAPH_NOT_A_SETTING": "x"},
    {"GRAPH_STORE": "a.db", "graph_store": "b.db"},
]


@pytest.mark.parametrize(
    "env", CASES, ids=[",".join(f"{k}={v}" for k, v in c.items()) for c in CASES]
)
def test_reads_what_pydantic_reads(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert read_settings() == pydantic_reads()


@pytest.mark.parametrize(
    "env",
    [
        {"GRAPH_PORT": "eighty"},
        {"GRAPH_PORT": ""},
        {"GRAPH_PORT": "80.5"},
        {"GRAPH_QUERY_TIMEOUT": "soon"},
        {"GRAPH_PUBLIC_READS": "maybe"},
        {"GRAPH_PUBLIC_READS": " true"},
    ],
)
def test_refuses_what_pydantic_refuses(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError):
        Settings()
    with pytest.raises(ValidationError):
        read_settings()
