"""One combined KRaft node on Kafka 4.4.0 (prod's config cut down to one broker, every replication setting
1): it forms and events flow, and keyed events (prod's producer keys them: order-1..order-N in turn) keep
one partition per key, in order. One cluster for the module."""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.realkafka.stack_runner import COMBINED, SINGLE_BROKER, check_forms_and_flows, shared

pytestmark = pytest.mark.realkafka


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    with shared("prod", [*SINGLE_BROKER, *COMBINED], tmp_path_factory.mktemp("single")) as platform:
        yield platform


def test_cluster_forms_topic_exists_and_events_flow(single):
    check_forms_and_flows(single)


def test_keyed_events_share_a_partition_in_order(single):
    keys, partitions = single.settings.producer.key_count, single.settings.topic.partitions
    assert keys > partitions > 1, "more keys than partitions, more than one partition: the test means something"
    single.start_clients()  # those the previous test started keep running
    records = single.events_consumed(3 * keys)
    partitions_of_key = defaultdict(set)
    numbers_of_key = defaultdict(list)
    for record in records:
        assert record.key.startswith("order-"), record.key
        partitions_of_key[record.key].add(record.partition)
        numbers_of_key[record.key].append(record.number)
    assert len(partitions_of_key) == keys
    for key, used in partitions_of_key.items():
        assert len(used) == 1, f"{key} spread over partitions {used}"
        assert numbers_of_key[key] == sorted(numbers_of_key[key]), f"{key} out of order"
    assert len({p for ps in partitions_of_key.values() for p in ps}) > 1, (
        f"{keys} keys over {partitions} partitions use more than one"
    )
    for record in records:  # key order-k carries events k, k+keys, k+2*keys, ...
        assert (record.number - 1) % keys + 1 == int(record.key.split("-")[1])
