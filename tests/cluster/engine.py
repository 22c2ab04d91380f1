"""The real Pulumi engine (CLI, pulumi-kubernetes provider, Python language host) on a copy of the project.

The copy holds the program as it is in the repository plus stack files the tests write, so changes of
config never touch the repository's own `Pulumi.<stack>.yaml`. State lives in a file backend of the test
run; the provider plugin comes from the engine build's PULUMI_HOME, so nothing is ever downloaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import yaml

from components.config.schema import PROJECT
from components.config.stack_files import ROOT

# Not copied: environments, caches and state of the checkout the tests run from.
SKIPPED = (".venv", ".git", ".pulumi-state", "rendered", ".pytest_cache")


def project_files() -> list[str]:
    """The checkout's files as git sees them (tracked, and untracked but not ignored)."""
    listing = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [name for name in listing.stdout.splitlines() if not name.startswith(SKIPPED) and (ROOT / name).is_file()]


def engine_dir() -> Path:
    location = os.environ.get("KAFKA_DEMO_PULUMI_ENGINE")
    assert location, (
        "KAFKA_DEMO_PULUMI_ENGINE is not set: run the README's test command (scripts/test.sh), which builds the engine"
    )
    path = Path(location)
    for name in ("pulumi", "pulumi-resource-kubernetes", "pulumi-language-python"):
        assert (path / "bin" / name).is_file(), f"{path / 'bin' / name} is missing: the engine build failed"
    return path


class Engine:
    def __init__(self, workdir: Path, kubeconfig: Path):
        self.workdir = workdir
        self.project = workdir / "project"
        # A copy of the whole checkout: scripts/up.sh runs from it too, and stack files written or
        # initialised there (Pulumi adds an encryption salt) never touch the repository's own.
        for name in project_files():
            (self.project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, self.project / name)
        if (ROOT / ".venv-engine").exists():  # the engine's venv (scripts/test.sh made it), shared
            (self.project / ".venv-engine").symlink_to(ROOT / ".venv-engine")
        engine = engine_dir()
        home = workdir / "pulumi-home"  # the engine writes here; the plugins are the build's
        home.mkdir(exist_ok=True)
        if not (home / "plugins").exists():
            (home / "plugins").symlink_to(engine / "home" / "plugins")
        self.state = workdir / "state"
        self.state.mkdir(exist_ok=True)
        self.kubeconfig = kubeconfig
        tmpdir = workdir / "tmp"
        tmpdir.mkdir(exist_ok=True)
        self.env = {
            **os.environ,
            "PULUMI_HOME": str(home),
            "PULUMI_BACKEND_URL": f"file://{self.state}",
            "PULUMI_CONFIG_PASSPHRASE": "",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "KUBECONFIG": str(kubeconfig),
            # The provider writes a kubeconfig copy per run into the temp dir and leaves it there:
            # keep those inside the test's own directory.
            "TMPDIR": str(tmpdir),
        }
        self.log = workdir / "pulumi.log"

    def write_stack(self, stack: str, config: dict[str, Any]) -> None:
        """Pulumi.<stack>.yaml in the copy, keys without the project prefix (as stack_config returns them).
        Whatever else the file holds (the encryption salt `stack init` wrote) is kept."""
        path = self.project / f"Pulumi.{stack}.yaml"
        document = (yaml.safe_load(path.read_text()) or {}) if path.exists() else {}
        document["config"] = {f"{PROJECT}:{key}": value for key, value in config.items()}
        path.write_text(yaml.safe_dump(document, sort_keys=False))

    def pulumi(
        self, *args: str, stack: str, check: bool = True, timeout: float = 900, cwd: Path | None = None
    ) -> subprocess.CompletedProcess:
        """`pulumi ARGS --stack STACK --non-interactive`; output kept in pulumi.log, and in the error on failure."""
        command = ["pulumi", *args, "--stack", stack, "--non-interactive"]
        started = time.monotonic()
        result = subprocess.run(command, cwd=cwd or self.project, env=self.env, capture_output=True, text=True, timeout=timeout)
        took = time.monotonic() - started
        with self.log.open("a") as log:
            log.write(f"\n$ {' '.join(command)}  ({took:.1f}s, exit {result.returncode})\n{result.stdout}{result.stderr}")
        print(f"[cluster] pulumi {' '.join(args)} --stack {stack}: {took:.1f}s, exit {result.returncode}", flush=True)
        if check and result.returncode != 0:
            raise AssertionError(
                f"pulumi {' '.join(args)} failed ({result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        return result

    def run(self, command: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
        """Any command in the engine's environment, from the project copy; it must succeed."""
        result = subprocess.run(command, cwd=self.project, env=self.env, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-4000:]}"
        return result

    def init_stack(self, stack: str) -> None:
        """Create the stack in the test's backend unless it exists."""
        if self.pulumi("stack", "select", stack=stack, check=False).returncode != 0:
            self.pulumi("stack", "init", stack=stack)

    def up(self, stack: str, *extra: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.pulumi("up", "--yes", "--skip-preview", *extra, stack=stack, check=check)

    def outputs(self, stack: str) -> dict[str, Any]:
        return yaml.safe_load(self.pulumi("stack", "output", "--json", stack=stack).stdout)
