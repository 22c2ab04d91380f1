"""The README's commands behave as documented."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml

from components.stack_config import ROOT


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)


def test_render_writes_numbered_manifests_and_prints_outputs(tmp_path):
    result = run(sys.executable, "render.py", "--stack", "prod", "--set", "kafka.replicas=5", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert '"bootstrapServers"' in result.stdout and "kafka-4.kafka.kafka-prod.svc.cluster.local:9092" in result.stdout
    files = sorted(tmp_path.glob("*.yaml"))
    assert files[0].name.startswith("00-namespace-")
    statefulset = yaml.safe_load(next(f for f in files if "statefulset-kafka" in f.name).read_text())
    assert statefulset["spec"]["replicas"] == 5
    assert list(statefulset)[:3] == ["apiVersion", "kind", "metadata"]


def test_render_refuses_bad_config_with_exit_2(tmp_path):
    result = run(sys.executable, "render.py", "--stack", "dev", "--set", "kafka.replicas=0", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "kafka-demo:kafka.replicas = 0: must be an integer from 1 to 9" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.glob("*.yaml"))


def test_render_refuses_a_missing_stack():
    result = run(sys.executable, "render.py", "--stack", "staging")
    assert result.returncode == 2 and "Pulumi.staging.yaml does not exist" in result.stderr


def test_up_says_what_is_missing_without_the_pulumi_cli():
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    assert subprocess.run(["bash", "-c", "command -v pulumi"], env=env, capture_output=True).returncode != 0
    result = run("bash", "scripts/up.sh", env=env)
    assert result.returncode == 1
    assert "the Pulumi CLI (3.187 or newer) is not installed" in result.stderr


def test_up_refuses_an_unknown_stack():
    result = run("bash", "scripts/up.sh", "staging")
    assert result.returncode == 1 and "no Pulumi.staging.yaml" in result.stderr
