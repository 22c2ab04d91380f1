"""The components as a library another Python program installs: the package builds under its import name
`kafka_demo_platform` with every module and script, and examples/python runs on it (mock engine)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
import tomllib
import zipfile

import components
from components.config.stack_files import ROOT
from tests.helpers import build_wheel

RUN_EXAMPLE = """
import json, runpy, sys, pulumi
from kafka_demo_platform.engine.mock import Recorder, Rendered
rendered = Rendered()
pulumi.runtime.set_mocks(Recorder(rendered), project="kafka-python-example", stack="dev", preview=False)
exported = {}
pulumi.export = lambda name, value: exported.__setitem__(name, value)

@pulumi.runtime.test
def run():
    runpy.run_path(sys.argv[1], run_name="__main__")
    return pulumi.Output.all(**exported).apply(lambda values: exported.update(values))

run()
kinds = sorted(f"{m['kind']}/{m['metadata']['name']}" for m in rendered.manifests)
print(json.dumps({"kinds": kinds, "outputs": exported, "module": __import__("kafka_demo_platform").__file__}))
"""


def test_pyproject_packages_every_subpackage_under_the_import_name():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["tool"]["setuptools"]["package-dir"] == {"kafka_demo_platform": "components"}
    subpackages = {f"kafka_demo_platform.{m.name}" for m in pkgutil.iter_modules(components.__path__) if m.ispkg}
    assert set(project["tool"]["setuptools"]["packages"]) == {"kafka_demo_platform"} | subpackages
    # One version number: the package's __version__, which the wheel's metadata reads (pyproject's dynamic).
    assert project["project"]["dynamic"] == ["version"] and "version" not in project["project"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "kafka_demo_platform.__version__"}


def test_the_built_wheel_runs_the_python_example(tmp_path):
    wheel = build_wheel(tmp_path)
    assert wheel.name.startswith(f"kafka_demo_platform-{components.__version__}-"), wheel.name
    installed = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(installed)
        names = archive.namelist()
    assert "kafka_demo_platform/shell/start-kafka.sh" in names and "kafka_demo_platform/kafka/component.py" in names
    assert not any(name.startswith("components/") for name in names)
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names), "the licence ships in the wheel"
    # Run from a directory without this checkout on the path: only the installed package can be imported.
    result = subprocess.run(
        [sys.executable, "-c", RUN_EXAMPLE, str(ROOT / "examples" / "python" / "__main__.py")],
        cwd=tmp_path,
        env={"PYTHONPATH": str(installed), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["module"].startswith(str(installed))
    assert "StatefulSet/kafka" in report["kinds"] and "Deployment/consumer" in report["kinds"]
    assert any(kind.startswith("Job/topic-orders-") for kind in report["kinds"])
    assert report["outputs"]["bootstrapServers"] == ",".join(f"kafka-{i}.kafka.orders.svc.cluster.local:9092" for i in range(3))
    assert report["outputs"]["topic"] == "orders"
