"""The components as packages: the Python wheel installed, with the dependencies it declares, into a clean
venv; and the Pulumi multi-language package through the real CLI: the schema `pulumi package get-schema`
infers, and a Pulumi YAML program (examples/yaml) deploying a broker and a topic with them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.cluster.kafka_checks import describe_topic
from tests.helpers import build_wheel

pytestmark = pytest.mark.cluster

COMPONENTS = (
    "ZookeeperCluster",
    "KafkaBroker",
    "KafkaTopic",
    "ProducerJob",
    "ConsumerJob",
    "KafkaTls",
    "KafkaUsers",
    "KafkaExternalAccess",
)
NAMESPACE = "kafka-yaml"

IMPORT_EVERY_MODULE = """
import importlib, json, pkgutil, kafka_demo_platform as package
names = [m.name for m in pkgutil.walk_packages(package.__path__, "kafka_demo_platform.")]
for name in names:
    importlib.import_module(name)
print(json.dumps({"file": package.__file__, "version": package.__version__, "modules": names}))
"""


def test_the_wheel_installs_and_imports_in_a_clean_venv_with_its_declared_dependencies(tmp_path):
    """The unit tier runs the wheel's code in the test venv, which has every test dependency: it cannot
    notice an undeclared one. Here pip installs the wheel into a venv with nothing else, resolving only
    what pyproject.toml declares (from PyPI, or pip's cache when warm), and every module must import.
    In the cluster tier because it needs the package index; it needs no cluster."""
    wheel = build_wheel(tmp_path)
    venv = tmp_path / "clean"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    install = subprocess.run(
        [python, "-m", "pip", "install", "-q", "--only-binary=:all:", str(wheel)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    check = subprocess.run([python, "-m", "pip", "check"], env=env, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    # From the temporary directory, so this checkout's `components` cannot stand in for the package.
    result = subprocess.run(
        [python, "-c", IMPORT_EVERY_MODULE], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["file"].startswith(str(venv))
    assert {"kafka_demo_platform.engine.provider", "kafka_demo_platform.security.pki"} <= set(report["modules"])
    assert len(report["modules"]) > 40


def test_the_package_schema_has_every_component_with_typed_inputs_and_outputs(engine):
    launcher = engine.project / "bin" / "pulumi-resource-kafka-demo"
    result = engine.run(["pulumi", "package", "get-schema", str(launcher)])
    schema = json.loads(result.stdout)
    assert schema["name"] == "kafka-demo"
    assert set(schema["resources"]) == {f"kafka-demo:index:{name}" for name in COMPONENTS}
    broker = schema["resources"]["kafka-demo:index:KafkaBroker"]
    assert broker["isComponent"] is True and broker["requiredInputs"] == ["namespace"]
    inputs, outputs = broker["inputProperties"], broker["properties"]
    assert (inputs["replicas"]["type"], inputs["autoCreateTopics"]["type"], inputs["storageSize"]["type"]) == (
        "integer",
        "boolean",
        "string",
    )
    assert inputs["config"]["type"] == "object" and inputs["config"]["additionalProperties"]["type"] == "string"
    assert outputs["bootstrapServers"]["type"] == "string" and outputs["brokerDnsNames"]["type"] == "array"
    producer = schema["resources"]["kafka-demo:index:ProducerJob"]
    assert producer["inputProperties"]["intervalSeconds"]["type"] == "number"
    assert sorted(producer["requiredInputs"]) == ["bootstrapServers", "namespace", "topic"]


def test_a_pulumi_yaml_program_deploys_a_broker_and_a_topic_with_the_components(engine, cluster):
    project = engine.project / "examples" / "yaml"
    stack = "yaml"
    try:
        engine.pulumi("stack", "init", stack=stack, cwd=project)
        engine.pulumi("config", "set", "namespace", NAMESPACE, stack=stack, cwd=project)
        engine.pulumi("up", "--yes", "--skip-preview", stack=stack, cwd=project, timeout=600)
        outputs = json.loads(engine.pulumi("stack", "output", "--json", stack=stack, cwd=project).stdout)
        assert outputs == {
            "bootstrapServers": f"kafka-0.kafka.{NAMESPACE}.svc.cluster.local:9092",
            "brokers": [f"kafka-0.kafka.{NAMESPACE}.svc.cluster.local"],
            "topic": "orders",
        }
        # `up` waited for the topic Job: the broker the YAML program made has the topic it asked for.
        assert "PartitionCount: 3" in describe_topic(cluster, NAMESPACE, "orders")
        # The component checks its own args, in any language: an even KRaft quorum is refused, nothing changes.
        engine.pulumi("config", "set", "--type", "int", "brokers", "2", stack=stack, cwd=project)
        bad = engine.pulumi("up", "--yes", "--skip-preview", stack=stack, cwd=project, check=False)
        assert (
            bad.returncode != 0
            and 'KafkaBroker "kafka": replicas = 2: with combined KRaft nodes every broker' in bad.stdout + bad.stderr
        )
        assert "PartitionCount: 3" in describe_topic(cluster, NAMESPACE, "orders")
    finally:
        engine.pulumi("destroy", "--yes", "--skip-preview", stack=stack, cwd=project, check=False)
        cluster.kubectl("delete", "namespace", NAMESPACE, "--ignore-not-found", "--wait=true", "--timeout=300s", check=False)
