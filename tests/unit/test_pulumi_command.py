"""scripts/pulumi.sh starts the local cluster only for the pulumi commands that talk to a cluster: with no
kubeconfig, `config set` or `stack output` after `local-cluster.sh down` must not start a Kubernetes node.
Run in a copy of the scripts with fake tools (pulumi, the local cluster's script, the venv's pip)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from components.config.stack_files import ROOT

RECORD = '#!/bin/bash\nprintf "%s\\n" "$*" >> "{log}"\n'


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    (root / "scripts" / "lib").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "pulumi.sh", root / "scripts" / "pulumi.sh")
    shutil.copy2(ROOT / "scripts" / "lib" / "pulumi-env.sh", root / "scripts" / "lib" / "pulumi-env.sh")
    (root / "requirements.txt").write_text("")
    fakes = {
        # The local cluster's script: records that it was asked, prints the line `up` ends with.
        root / "scripts" / "local-cluster.sh": RECORD.format(log=tmp_path / "cluster.log") + "echo 'KUBECONFIG=/nowhere'\n",
        root / ".venv" / "bin" / "python": "#!/bin/bash\n",
        root / ".venv" / "bin" / "pip": "#!/bin/bash\n",
        tmp_path / "bin" / "pulumi": RECORD.format(log=tmp_path / "pulumi.log"),
        tmp_path / "bin" / "uname": "#!/bin/bash\necho Linux\n",
        tmp_path / "bin" / "id": "#!/bin/bash\necho 0\n",
    }
    for path, text in fakes.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o755)
    return root


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    home = project.parent / "home"  # no ~/.kube/config: the case where the local cluster would be started
    home.mkdir(exist_ok=True)
    env = {"PATH": f"{project.parent / 'bin'}:/usr/bin:/bin", "HOME": str(home)}
    return subprocess.run(
        ["bash", str(project / "scripts" / "pulumi.sh"), *args], env=env, capture_output=True, text=True, timeout=30
    )


def cluster_calls(project: Path) -> list[str]:
    log = project.parent / "cluster.log"
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.parametrize(
    "args",
    [
        ("config", "set", "--stack", "dev", "--path", "kafka.replicas", "3"),
        ("stack", "output", "--stack", "dev"),
        ("stack", "ls"),
        ("--non-interactive", "config", "get", "mode"),
    ],
)
def test_commands_that_do_not_talk_to_the_cluster_leave_it_alone(project, args):
    result = run(project, *args)
    assert result.returncode == 0, result.stderr
    assert cluster_calls(project) == []
    assert (project.parent / "pulumi.log").read_text().splitlines()[-1] == " ".join(args)


@pytest.mark.parametrize("command", ["preview", "up", "refresh", "destroy"])
def test_commands_that_talk_to_the_cluster_start_the_local_one_without_a_kubeconfig(project, command):
    result = run(project, command, "--stack", "dev")
    assert result.returncode == 0, result.stderr
    assert cluster_calls(project) == ["up"]
    assert "using the local single-node cluster" in result.stderr
