"""The verify gate (scripts/verify.sh) and its pre-commit hooks run the same checks."""

import re
import subprocess

import yaml

from components.config.stack_files import ROOT


def verify_checks() -> list[str]:
    match = re.search(r"^all=\(([^)]*)\)$", (ROOT / "scripts" / "verify.sh").read_text(), re.M)
    assert match, "scripts/verify.sh has no all=(...) list of its checks"
    return match.group(1).split()


def test_every_check_of_the_gate_is_a_pre_commit_hook_and_nothing_else():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    entries = [hook["entry"] for repo in config["repos"] for hook in repo["hooks"]]
    assert verify_checks() == ["lint", "format", "types", "shell", "unit"]
    assert entries == [f"scripts/verify.sh {check}" for check in verify_checks()]


def test_the_gate_refuses_an_unknown_check_before_installing_anything():
    result = subprocess.run(["bash", "scripts/verify.sh", "lint", "speling"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and "usage: scripts/verify.sh" in result.stderr
    assert "== verify setup" not in result.stdout
