"""What each benchmark makes of its measurements, on recorded ones: the live parts (clusters, the engine)
are replaced by what they returned in real runs, so that every benchmark's figures are checked without
starting anything. The live parts themselves run in the other tiers: the command end to end with
producer-cost and program-cost (tests/realkafka/test_bench.py), the throughput, rolling and recovery
measurements on the shared prod cluster (tests/realkafka/test_prod.py), demo-up and engine-cost on the
local cluster (tests/cluster)."""

from __future__ import annotations

from contextlib import contextmanager
from types import SimpleNamespace

import pytest

from bench import demo_up, engine_cost, producer_cost, recovery, rolling, throughput
from bench.processes import timed

# The last line of kafka-producer-perf-test.sh, as Kafka 4.4.0 printed it in a quick run here.
PERF_OUTPUT = (
    "1 records sent, 0.2 records/sec (0.00 MB/sec), 4000.0 ms avg latency, 4000.0 ms max latency.\n"
    "20000 records sent, 1630.1 records/sec (1.59 MB/sec), 5021.33 ms avg latency, 9803.00 ms max latency, "
    "6168 ms 50th, 9421 ms 95th, 9668 ms 99th, 9749 ms 99.9th.\n"
)


def complete(figures) -> None:
    assert figures, "no figures"
    for figure in figures:
        assert figure.complete(), figure
        assert figure.ratio is not None, figure


class Tools:
    """A platform whose Kafka tools answer with recorded outputs, in the order given."""

    bootstrap = "kafka-0.kafka.kafka-prod.svc.cluster.local:9092"
    topic = "events"

    def __init__(self, *answers: tuple[int, str]):
        self.answers = list(answers)
        self.calls: list[tuple[str, ...]] = []
        self.jvm_opts: list[str | None] = []

    def tool(self, *command: str, timeout: float = 180, jvm_opts: str | None = "tool flags") -> tuple[int, str]:
        self.calls.append(command)
        self.jvm_opts.append(jvm_opts)
        return self.answers.pop(0)


def test_the_throughput_measurement_reads_the_perf_tools_summary():
    platform = Tools((0, "Created topic perf."), (0, PERF_OUTPUT))
    assert throughput.perf_run(platform, 20000, "perf") == {
        "records/s": 1630.1,
        "MB/s": 1.59,
        "p50": 6168.0,
        "p99": 9668.0,
        "p99.9": 9749.0,
    }
    assert platform.calls[1][0] == "kafka-producer-perf-test.sh" and "acks=all" in platform.calls[1]
    # The measured client keeps kafka-run-class.sh's own JVM flags, as a user runs it.
    assert platform.jvm_opts[1] is None
    with pytest.raises(AssertionError, match="producer perf test failed"):
        throughput.perf_run(Tools((0, ""), (1, "org.apache.kafka.common.errors.TimeoutException")), 20000, "perf")


def test_the_stock_configuration_keeps_only_what_forms_the_cluster():
    rendered = (
        "node.id=1\nprocess.roles=broker\ncontroller.quorum.bootstrap.servers=c:9093\nlisteners=CLIENT://:9092\n"
        "advertised.listeners=CLIENT://kafka-1:9092\nlog.dirs=/var/lib/kafka/data/kraft\nmin.insync.replicas=2\n"
        "unclean.leader.election.enable=false\n"
    )
    stock = dict(line.split("=", 1) for line in throughput.stock_properties(rendered).splitlines()[1:])
    assert stock["node.id"] == "1" and stock["log.dirs"] == "/var/lib/kafka/data/kraft"
    assert stock["num.io.threads"] == "8" and "min.insync.replicas" not in stock and "unclean.leader.election.enable" not in stock


def test_throughput_figures(monkeypatch, tmp_path):
    recorded = {
        False: {"records/s": 1630.0, "MB/s": 1.59, "p50": 6168.0, "p99": 9668.0, "p99.9": 9749.0},
        True: {"records/s": 1620.0, "MB/s": 1.58, "p50": 5775.0, "p99": 9556.0, "p99.9": 10025.0},
    }
    monkeypatch.setattr(throughput, "one_cluster", lambda workdir, stock, records: recorded[stock])
    monkeypatch.setattr(throughput, "disk_ceiling", lambda directory, megabytes: 240.0)
    figures = throughput.run(quick=True, workdir=tmp_path)
    complete(figures)
    assert [f.what for f in figures] == [
        "records/s",
        "p50 latency ms",
        "p99 latency ms",
        "p99.9 latency ms",
        "disk MB/s (written x RF) vs dd",
    ]
    assert figures[0].ours == [1630.0] and figures[0].reference == [1620.0]
    assert figures[-1].ours == [pytest.approx(1.59 * 3)] and figures[-1].reference == [240.0]


@contextmanager
def fake_running(*args, **kwargs):
    yield SimpleNamespace(start_brokers=lambda: None, create_topic=lambda: None, brokers=["kafka-0", "kafka-1", "kafka-2"])


def test_rolling_figures(monkeypatch, tmp_path):
    recorded = {
        True: {
            "seconds per pod": 48.65,
            "send errors": 0,
            "stall": 0.247,
            "under min ISR s": 0.0,
            "offline s": 0.0,
            "samples": 9,
        },
        False: {
            "seconds per pod": 29.69,
            "send errors": 0,
            "stall": 0.347,
            "under min ISR s": 0.0,
            "offline s": 0.0,
            "samples": 6,
        },
    }
    rolled: list[list[str]] = []
    monkeypatch.setattr(rolling, "running", fake_running)
    monkeypatch.setattr(rolling, "one_roll", lambda platform, pods, safe, workdir, prefix: rolled.append(pods) or recorded[safe])
    figures = rolling.run(quick=True, workdir=tmp_path)
    complete(figures)
    assert rolled == [["kafka-0"], ["kafka-0"]], "quick: one broker, ours then naive"
    assert figures[0].ours == [48.65] and figures[0].reference == [29.69]


def test_recovery_figures(monkeypatch, tmp_path):
    recorded = {
        False: {"in sync": 21.32, "stall": 9.46, "send errors": 0},
        True: {"in sync": 16.39, "stall": 9.53, "send errors": 0},
    }
    monkeypatch.setattr(recovery, "one_recovery", lambda workdir, stock: recorded[stock])
    figures = recovery.run(quick=True, workdir=tmp_path)
    complete(figures)
    assert [(f.ours, f.reference) for f in figures] == [([21.32], [16.39]), ([9.46], [9.53]), ([0], [0])]


def test_producer_cost_figures_scale_each_side_to_1000_events(monkeypatch, tmp_path):
    monkeypatch.setattr(producer_cost, "running", fake_running)
    monkeypatch.setattr(producer_cost, "ours", lambda platform, events: (4.85, 200))
    monkeypatch.setattr(producer_cost, "seed", lambda platform, events: (7.81, 3))
    offsets = iter([100, 100 + 203])
    monkeypatch.setattr(producer_cost, "end_offsets", lambda platform: next(offsets))
    [figure] = producer_cost.run(quick=True, workdir=tmp_path)
    complete([figure])
    assert figure.ours == [pytest.approx(24.25)] and figure.reference == [pytest.approx(2603.33, abs=0.01)]
    # The events must really be in the topic.
    offsets = iter([100, 150])
    with pytest.raises(AssertionError, match="203 events sent, only 50 in the topic"):
        producer_cost.run(quick=True, workdir=tmp_path)


class FakeEngine:
    def __init__(self) -> None:
        self.stacks: dict[str, dict] = {}

    def write_stack(self, stack, config) -> None:
        self.stacks[stack] = config

    def init_stack(self, stack) -> None:
        assert stack in self.stacks

    def up(self, stack) -> None:
        assert stack in self.stacks


@contextmanager
def fake_engine_on_cluster(workdir):
    yield FakeEngine(), SimpleNamespace()


def test_demo_up_figures(monkeypatch, tmp_path):
    removed: list[str] = []
    monkeypatch.setattr(demo_up, "engine_on_cluster", fake_engine_on_cluster)
    monkeypatch.setattr(
        demo_up,
        "up_to_first_event",
        lambda engine, cluster, stack, namespace: (37.5, {"brokers ready": 20.0, "first consumed": 37.0}),
    )
    monkeypatch.setattr(demo_up, "remove_stack", lambda engine, cluster, stack, namespace: removed.append(namespace))
    [figure] = demo_up.run(quick=True, workdir=tmp_path)
    complete([figure])
    assert figure.ours == [37.5] and figure.reference == [40.0] and figure.ratio == pytest.approx(40 / 37.5)
    assert figure.goal_met is True and "brokers ready 20, first consumed 37" in figure.note
    assert removed == [demo_up.DEV[1]], "each round's stack is removed"


def test_demo_up_phases_come_from_the_clusters_timestamps():
    """As the API server and `kubectl logs --timestamps` give them (recorded from a dev stack's up)."""
    started = demo_up._seconds("2026-12-07T03:10:00Z")
    objects = {
        "namespace": {"metadata": {"creationTimestamp": "2026-12-07T03:10:01Z"}},
        "pods": {
            "items": [
                {
                    "metadata": {"labels": {"app": app}},
                    "status": {"conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": stamp}]},
                }
                for app, stamp in (("zookeeper", "2026-12-07T03:10:09Z"), ("kafka", "2026-12-07T03:10:21Z"))
            ]
            + [{"metadata": {"labels": {"app": "producer"}}, "status": {}}]
        },
        "jobs": {"items": [{"metadata": {"labels": {"app": "topic"}}, "status": {"completionTime": "2026-12-07T03:10:27Z"}}]},
    }
    logs = {
        "producer": "2026-12-07T03:10:24.100000000Z [producer] waiting for topic 'events'\n"
        "2026-12-07T03:10:30.260000123Z [producer] Sent: event-1: order-placed at 2026-12-07 03:10:30\n",
        "consumer": "2026-12-07T03:10:33.5Z Partition:0\tOffset:0\tnull\tevent-1: order-placed at 2026-12-07 03:10:30\n",
    }
    assert demo_up.phases(objects, logs, started) == {
        "namespace": 1.0,
        "ZooKeeper ready": 9.0,
        "brokers ready": 21.0,
        "topic Job done": 27.0,
        "first produced": 30.3,
        "first consumed": 33.5,
    }


def test_engine_cost_figures(monkeypatch, tmp_path):
    calls: list[tuple[str, ...]] = []

    def pulumi(engine, *args, stack):
        calls.append((args[0], stack))
        if args[0] == "preview":
            brokers = int(stack.rsplit("-", 1)[1])
            return 3.0 + brokers / 100, 120.0 + brokers, "+ 40 to create"
        return 5.5, 130.0, "Resources:\n    52 unchanged\n"

    monkeypatch.setattr(engine_cost, "engine_on_cluster", fake_engine_on_cluster)
    monkeypatch.setattr(engine_cost, "pulumi", pulumi)
    monkeypatch.setattr(engine_cost, "remove_stack", lambda engine, cluster, stack, namespace: None)
    figures = engine_cost.run(quick=True, workdir=tmp_path)
    complete(figures)
    assert [f.what for f in figures] == [
        "pulumi preview s, prod, 3 brokers vs 1",
        "pulumi preview peak MiB, prod, 3 brokers vs 1",
        "pulumi preview s, prod, 9 brokers vs 1",
        "pulumi preview peak MiB, prod, 9 brokers vs 1",
        "no-op pulumi up s, prod (3 controllers, 3 brokers)",
    ]
    assert figures[-1].ours == [5.5] and ("up", "bench-prod") in calls

    # A "no-op" up that changed something is a failed benchmark, not a figure.
    def changing(engine, *args, stack):
        return pulumi(engine, *args, stack=stack) if args[0] == "preview" else (5.5, 130.0, "Resources:\n    ~ 1 updated\n")

    monkeypatch.setattr(engine_cost, "pulumi", changing)
    with pytest.raises(AssertionError, match="the no-op up changed something"):
        engine_cost.run(quick=True, workdir=tmp_path)


def test_timed_reports_wall_time_and_peak_memory_and_fails_on_failure(tmp_path):
    wall, peak, output = timed(["python3", "-c", "x = bytearray(64 * 2**20); print('done')"], cwd=tmp_path, output=True)
    assert output.strip() == "done" and wall > 0 and peak >= 64
    with pytest.raises(AssertionError, match="failed"):
        timed(["python3", "-c", "raise SystemExit(3)"], cwd=tmp_path)
