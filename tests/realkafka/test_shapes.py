"""The cluster shapes no other scenario uses, each on real Kafka: it forms, every server passes its probes,
the topic is as configured and events flow (tests/realkafka/stack_runner.py: check_forms_and_flows).
The other shapes get the same check in their own modules, on the cluster their scenarios share: the dev
stack (test_zookeeper_dev.py), one combined node (test_kraft_single.py), prod (test_prod.py)."""

from __future__ import annotations

import pytest

from tests.realkafka.stack_runner import COMBINED, check_forms_and_flows, shared

pytestmark = pytest.mark.realkafka

SHAPES = {
    "zookeeper-3x3 on Kafka 3.9.1": ("dev", ["zookeeper.replicas=3", "kafka.replicas=3", "topic.replicationFactor=3"]),
    "kraft-3 combined on Kafka 4.4.0": ("prod", COMBINED),
    "kraft-3 combined, static quorum, on Kafka 3.9.1": ("prod", [*COMBINED, "kafka.version=3.9.1"]),
}


@pytest.mark.parametrize("stack, overrides", SHAPES.values(), ids=SHAPES.keys())
def test_cluster_forms_topic_exists_and_events_flow(tmp_path, stack, overrides):
    with shared(stack, overrides, tmp_path) as platform:
        check_forms_and_flows(platform)
