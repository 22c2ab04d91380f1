"""Pulumi.yaml declares every config key with the code's defaults; the README documents every key;
the stack files are valid."""

from __future__ import annotations

import re

import pytest
import yaml

from components.settings import SCHEMA, TOP_LEVEL, load_settings
from components.stack_config import ROOT, project_defaults, stack_config

PULUMI_TYPES = {"string", "integer", "boolean", "array", "object"}


def declared() -> dict:
    return yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]


def test_project_file_basics():
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == "kafka-demo"
    assert project["runtime"]["name"] == "python"
    assert project["runtime"]["options"]["virtualenv"] == ".venv"


def test_every_config_key_is_declared_with_type_description_and_default():
    config = declared()
    assert set(config) == set(TOP_LEVEL) | set(SCHEMA)
    for key, spec in config.items():
        assert spec["type"] in PULUMI_TYPES, key
        assert spec.get("description"), key
        assert "default" in spec, f"{key}: without a default Pulumi would demand it in every stack"
    for name in SCHEMA:
        assert config[name]["type"] == "object" and config[name]["default"] == {}
        for key in SCHEMA[name]:
            assert key in config[name]["description"], f"{name}.{key} missing from its Pulumi.yaml description"


def test_project_defaults_match_the_code():
    defaults = project_defaults()
    for key, (default, _) in TOP_LEVEL.items():
        assert (defaults[key] or None) == default, key


def test_readme_documents_every_key():
    readme = (ROOT / "README.md").read_text()
    reference = readme.split("## Config reference", 1)[1].split("\n## ", 1)[0]
    for key in TOP_LEVEL:
        assert f"`{key}`" in reference, key
    for name, keys in SCHEMA.items():
        for key in keys:
            assert f"`{name}.{key}`" in reference, f"{name}.{key}"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_files_use_only_project_keys(stack):
    raw = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    assert all(re.fullmatch(r"kafka-demo:[A-Za-z]+", key) for key in raw)
    load_settings(stack_config(stack), stack)
