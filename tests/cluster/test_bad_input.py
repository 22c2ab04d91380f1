"""Bad config through the real CLI: the program's own message, every problem at once, nothing created."""

from __future__ import annotations

import pytest

from components.config.stack_files import stack_config

pytestmark = pytest.mark.cluster


def namespaces(cluster) -> set[str]:
    return set(cluster.kubectl("get", "namespaces", "-o", "name").stdout.split())


def test_bad_config_prints_every_problem_and_creates_nothing(engine, cluster):
    stack = "bad"
    config = stack_config("dev")
    config["namespace"] = "bad-input"
    config["mode"] = "zk"  # not a mode
    config["replicationFactor"] = 3  # an unknown top-level key
    config["kafka"] = {**config["kafka"], "replicas": 0, "heapsize": "1Gi"}  # out of range, and a typo
    config["topic"] = {**config["topic"], "partitions": "many"}  # wrong type
    engine.write_stack(stack, config)
    engine.init_stack(stack)
    before = namespaces(cluster)
    for command in (["preview"], ["up", "--yes", "--skip-preview"]):
        result = engine.pulumi(*command, stack=stack, check=False)
        output = result.stdout + result.stderr
        assert result.returncode != 0
        assert "Invalid stack configuration (nothing was created)" in output
        for problem in (
            'kafka-demo:mode = "zk": must be one of',
            "kafka-demo:replicationFactor is not a known config key",
            "kafka-demo:kafka.replicas = 0: must be an integer from 1 to 9",
            "kafka-demo:kafka.heapsize is not a known key",
            'kafka-demo:topic.partitions = "many": must be an integer',
        ):
            assert problem in output, f"{problem!r} missing from `pulumi {command[0]}`:\n{output[-3000:]}"
        assert "Traceback" not in output
    assert namespaces(cluster) == before, "nothing was created"
    engine.pulumi("stack", "rm", "--yes", "--force", stack=stack)


def test_a_wrong_kube_context_fails_at_preview(engine, cluster):
    stack = "wrongctx"
    config = {**stack_config("dev"), "namespace": "wrong-context", "kubeContext": "no-such-context"}
    engine.write_stack(stack, config)
    engine.init_stack(stack)
    result = engine.pulumi("preview", stack=stack, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert 'kafka-demo:kubeContext = "no-such-context": no such context in the kubeconfig' in output, output[-3000:]
    assert "contexts there: " in output
    assert "wrong-context" not in " ".join(namespaces(cluster))
    engine.pulumi("stack", "rm", "--yes", "--force", stack=stack)
