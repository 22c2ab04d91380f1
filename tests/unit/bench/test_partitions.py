"""What the disruption benchmarks read: partition states from kafka-topics' describe, the sampled seconds
under min ISR or offline, and the producer's longest stall."""

from __future__ import annotations

from bench.partitions import PartitionWatch, Sample, longest_stall, parse_describe, producer_events, send_errors

DESCRIBE = """Topic: events	TopicId: x1	PartitionCount: 3	ReplicationFactor: 3	Configs: min.insync.replicas=2
	Topic: events	Partition: 0	Leader: 1	Replicas: 1,2,0	Isr: 1,2,0	Elr: 	LastKnownElr: 
	Topic: events	Partition: 1	Leader: 2	Replicas: 2,0,1	Isr: 2	Elr: 0	LastKnownElr: 
	Topic: events	Partition: 2	Leader: none	Replicas: 0,1,2	Isr: 	Elr: 	LastKnownElr: 
"""


def test_describe_output_becomes_partition_states():
    states = parse_describe(DESCRIBE)
    assert [(s.partition, s.leader, s.replicas, s.isr) for s in states] == [
        (0, "1", (1, 2, 0), (1, 2, 0)),
        (1, "2", (2, 0, 1), (2,)),
        (2, "none", (0, 1, 2), ()),
    ]
    assert [s.offline for s in states] == [False, False, True]
    assert parse_describe("Error while executing topic command") == []


def test_a_bad_sample_counts_until_the_next_sample():
    healthy, degraded = parse_describe(DESCRIBE)[:1], parse_describe(DESCRIBE)[:2]
    watch = PartitionWatch.__new__(PartitionWatch)  # no thread, no platform: the arithmetic alone
    watch.min_isr = 2
    watch.samples = [
        Sample(0.0, healthy),
        Sample(5.0, degraded),
        Sample(12.0, degraded),
        Sample(20.0, healthy),
        Sample(26.0, healthy),
    ]
    assert watch.under_min_isr_seconds() == 15.0
    assert watch.offline_seconds() == 0.0


def test_longest_stall_and_send_errors_from_the_verifiable_producers_lines():
    output = "\n".join(
        [
            '{"timestamp":1000,"name":"startup_complete"}',
            '{"timestamp":1000,"name":"producer_send_success","value":"1"}',
            '{"timestamp":1200,"name":"producer_send_success","value":"2"}',
            "some log line",
            '{"timestamp":4700,"name":"producer_send_error","exception":"x"}',
            '{"timestamp":9200,"name":"producer_send_success","value":"3"}',
        ]
    )
    events = producer_events(output)
    assert longest_stall(events) == 8.0 and send_errors(events) == 1
    assert longest_stall([]) == 0
