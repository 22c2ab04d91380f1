"""The README's commands behave as documented."""

from __future__ import annotations

import json
import subprocess
import sys

import yaml

from components.config.stack_files import ROOT


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


def test_up_refuses_an_unknown_stack():
    result = run("bash", "scripts/up.sh", "staging")
    assert result.returncode == 1 and "no Pulumi.staging.yaml" in result.stderr


# --- render --out touches only its own files (data-loss defect: it used to delete every *.yaml) -----------


def _render(out, *sets: str) -> subprocess.CompletedProcess:
    args = [sys.executable, "render.py", "--stack", "dev", "--out", str(out)]
    for assignment in sets:
        args += ["--set", assignment]
    return run(*args)


def test_render_leaves_files_it_did_not_write_alone(tmp_path):
    """`--out .` of a project or a GitOps folder: Pulumi.yaml, kustomization.yaml and notes survive."""
    foreign = {
        "Pulumi.yaml": "name: someone-elses\n",
        "kustomization.yaml": "resources: []\n",
        "notes.txt": "mine\n",
        "Pulumi.dev.yaml": "config: {}\n",
    }
    for name, text in foreign.items():
        (tmp_path / name).write_text(text)
    for _ in range(2):  # the first render and a re-render
        result = _render(tmp_path)
        assert result.returncode == 0, result.stderr
    assert {name: (tmp_path / name).read_text() for name in foreign} == foreign
    assert len(list(tmp_path.glob("[0-9][0-9]-*.yaml"))) > 5


def test_rerendering_a_smaller_stack_removes_only_its_own_stale_files(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources: []\n")
    assert _render(tmp_path).returncode == 0
    with_clients = {p.name for p in tmp_path.glob("[0-9][0-9]-*.yaml")}
    result = _render(tmp_path, "producer.enabled=false", "consumer.enabled=false")
    assert result.returncode == 0, result.stderr
    without_clients = {p.name for p in tmp_path.glob("[0-9][0-9]-*.yaml")}
    assert len(without_clients) < len(with_clients)
    assert not [name for name in without_clients if "producer" in name or "consumer" in name]
    index = json.loads((tmp_path / ".kafka-demo-render-index").read_text())["files"]
    assert set(index) == without_clients  # numbering shifted: every old name not rewritten is gone
    assert (tmp_path / "kustomization.yaml").read_text() == "resources: []\n"


def test_render_refuses_to_overwrite_a_file_it_did_not_write(tmp_path):
    assert _render(tmp_path).returncode == 0
    own = sorted(tmp_path.glob("[0-9][0-9]-*.yaml"))
    edited, foreign_dir = own[1], tmp_path / "other"
    edited.write_text(edited.read_text() + "# my edit\n")
    result = _render(tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{edited} was changed after render.py wrote it" in result.stderr
    assert edited.read_text().endswith("# my edit\n")

    foreign_dir.mkdir()
    (foreign_dir / own[0].name).write_text("kind: Mine\n")  # same name as a file render would write
    result = _render(foreign_dir)
    assert result.returncode == 2 and "exists and was not written by render.py" in result.stderr
    assert (foreign_dir / own[0].name).read_text() == "kind: Mine\n"
    assert sorted(p.name for p in foreign_dir.iterdir()) == [own[0].name]  # nothing else written


def test_render_refuses_an_index_it_did_not_write(tmp_path):
    (tmp_path / ".kafka-demo-render-index").write_text('["not", "ours"]\n')
    result = _render(tmp_path)
    assert result.returncode == 2 and "is not an index this command wrote" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".kafka-demo-render-index"]
