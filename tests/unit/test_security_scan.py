"""Security scan of the rendered manifests with checkov. Findings are failures unless listed,
with a reason, in tests/security/accepted-findings.yaml."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import yaml

from components.config.stack_files import ROOT
from tests.helpers import MATRIX, render_matrix

ACCEPTED = ROOT / "tests" / "security" / "accepted-findings.yaml"


def checkov_binary() -> str:
    path = os.environ.get("CHECKOV", str(ROOT / ".venv-checkov" / "bin" / "checkov"))
    assert Path(path).exists(), f"checkov not found at {path}: run the README's test command (scripts/test.sh)"
    return path


def scan(directory: Path) -> dict[str, set[str]]:
    result = subprocess.run(
        [checkov_binary(), "-d", str(directory), "--framework", "kubernetes", "-o", "json", "--quiet", "--compact"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode in (0, 1), f"checkov failed to run:\n{result.stderr[-3000:]}"
    reports = json.loads(result.stdout)
    findings: dict[str, set[str]] = {}
    for report in reports if isinstance(reports, list) else [reports]:
        for check in report["results"]["failed_checks"]:
            findings.setdefault(check["check_id"], set()).add(check["resource"])
    return findings


def test_rendered_manifests_pass_checkov_except_accepted_findings(tmp_path):
    from render import write

    for name in MATRIX:
        write(render_matrix(name).manifests, tmp_path / name)
    findings = scan(tmp_path)
    accepted = yaml.safe_load(ACCEPTED.read_text())
    unexpected = {check: sorted(resources)[:5] for check, resources in findings.items() if check not in accepted}
    assert not unexpected, f"new security findings (fix them or justify them in {ACCEPTED.name}): {unexpected}"
    stale = set(accepted) - set(findings)
    assert not stale, f"accepted findings that no longer occur, remove them from {ACCEPTED.name}: {sorted(stale)}"
    for check, entry in accepted.items():
        assert entry.get("reason"), f"{check} needs a reason"


def test_scan_reports_a_privileged_container(tmp_path):
    """The scan can fail: a privileged root container is reported."""
    manifest = render_matrix("dev").manifests
    from render import write

    broken = [m for m in manifest if m["kind"] == "Deployment"][0]
    pod = broken["spec"]["template"]["spec"]
    pod["containers"][0]["securityContext"] = {"privileged": True, "runAsUser": 0}
    write([broken], tmp_path)
    findings = scan(tmp_path)
    assert "CKV_K8S_16" in findings  # "Container should not be privileged"
