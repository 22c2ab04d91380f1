"""Pulumi.yaml and docs/configuration.md's reference are generated from the keys (components/config/keys.py)
and current; the stack files are valid."""

from __future__ import annotations

import re

import pytest
import yaml

from components.config import checks, reference
from components.config.keys import TOP_LEVEL, ConfigObject
from components.config.objects import OBJECTS
from components.config.schema import Key
from components.config.settings import load_settings
from components.config.stack_files import ROOT, project_defaults, stack_config

REFRESH = "refresh with `.venv/bin/python -m components.config.reference`"


def test_project_file_basics():
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == "kafka-demo"
    assert project["runtime"]["name"] == "python"
    assert project["runtime"]["options"]["virtualenv"] == ".venv"


def test_pulumi_yaml_declares_every_key_as_generated():
    declared = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    assert declared == reference.pulumi_yaml_config(), REFRESH
    assert set(declared) == {k.name for k in TOP_LEVEL} | set(OBJECTS)
    for spec in declared.values():
        assert "default" in spec, "without a default Pulumi would demand the key in every stack"


def test_project_defaults_are_the_code_defaults():
    defaults = project_defaults()
    for key in TOP_LEVEL:
        assert (defaults[key.name] or None) == key.default, key.name


def test_the_documented_config_reference_is_generated_from_the_keys():
    document = (ROOT / "docs" / "configuration.md").read_text()
    assert reference.document_with_table(document) == document, REFRESH
    table = document.split(reference.TABLE_START, 1)[1].split(reference.TABLE_END, 1)[0]
    for key in TOP_LEVEL:
        assert f"| `{key.name}` |" in table
    for obj in OBJECTS.values():
        for key in obj.keys:
            assert f"| `{obj.name}.{key.name}` |" in table
    assert "| `None` |" not in table, "a key without a default shows as unset, not as Python's None"


def test_a_new_key_shows_up_in_both_generated_files(monkeypatch):
    """The generators read the keys, not a copy of them: a key added there appears in both outputs."""
    producer = OBJECTS["producer"]
    extra = Key("lingerMs", 5, checks.integer(0), "0-...", "Producer linger.")
    monkeypatch.setitem(OBJECTS, "producer", ConfigObject(producer.name, producer.summary, producer.keys + (extra,)))
    assert "| `producer.lingerMs` | `5` | 0-... | Producer linger. |" in reference.reference_table()
    assert "lingerMs" in reference.pulumi_yaml_config()["producer"]["description"]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_files_use_only_project_keys(stack):
    raw = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    assert all(re.fullmatch(r"kafka-demo:[A-Za-z]+", key) for key in raw)
    load_settings(stack_config(stack), stack)
