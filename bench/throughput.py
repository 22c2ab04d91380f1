"""Benchmark 3, throughput and latency: Kafka's producer performance tool (acks=all, 1 KiB records, a
fixed record count, as fast as it can) into a topic with RF 3 and min ISR 2, against the rendered prod
configuration (3 dedicated controllers, 3 brokers) and against the same nodes whose brokers run Kafka's
stock broker.properties instead (only what forms the cluster set: node id, quorum, listeners, log
directory); clusters start fresh each round, ours and stock in turn. Same pods, heap, jars and disk.

The physical ceiling: the same bytes, times the replication factor, written with dd (and fdatasync) to
the disk the brokers' volumes are on; ours is reported as a fraction of it.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

from bench.report import Figure
from tests.helpers import properties
from tests.realkafka.stack_runner import running

PROD_SHAPE: list[str] = []  # the prod stack as it is (sized by the harness's TEST_SIZING)
RESULT = re.compile(
    r"(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, "
    r"(\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99.9th"
)
RECORD_SIZE = 1024
REPLICATION = 3

# Kafka's stock config/broker.properties (4.x): the settings it sets (most restate defaults). The values
# that form the cluster are taken from the rendered file instead.
STOCK_BROKER = {
    "process.roles": "broker",
    "inter.broker.listener.name": "PLAINTEXT",
    "controller.listener.names": "CONTROLLER",
    "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
    "num.network.threads": "3",
    "num.io.threads": "8",
    "socket.send.buffer.bytes": "102400",
    "socket.receive.buffer.bytes": "102400",
    "socket.request.max.bytes": "104857600",
    "num.partitions": "1",
    "num.recovery.threads.per.data.dir": "2",
    "offsets.topic.replication.factor": "1",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    "log.retention.hours": "168",
    "log.segment.bytes": "1073741824",
    "log.retention.check.interval.ms": "300000",
}
CLUSTER_FORMING = ("node.id", "controller.quorum.bootstrap.servers", "listeners", "advertised.listeners", "log.dirs")


def stock_properties(rendered: str) -> str:
    values = properties(rendered)
    stock = {**STOCK_BROKER, **{key: values[key] for key in CLUSTER_FORMING}}
    return "# Kafka's stock broker.properties, with what forms this cluster\n" + "".join(f"{k}={v}\n" for k, v in stock.items())


def perf_run(platform, records: int, topic: str) -> dict[str, float]:
    code, output = platform.tool(
        "kafka-topics.sh",
        "--bootstrap-server",
        platform.bootstrap,
        "--create",
        "--topic",
        topic,
        "--partitions",
        "6",
        "--replication-factor",
        str(REPLICATION),
        "--config",
        "min.insync.replicas=2",
    )
    assert code == 0, output
    code, output = platform.tool(
        "kafka-producer-perf-test.sh",
        "--topic",
        topic,
        "--num-records",
        str(records),
        "--record-size",
        str(RECORD_SIZE),
        "--throughput",
        "-1",
        "--producer-props",
        f"bootstrap.servers={platform.bootstrap}",
        "acks=all",
        timeout=900,
        jvm_opts=None,  # the measured client: kafka-run-class.sh's own flags, as a user runs it
    )
    match = RESULT.search(output)
    assert code == 0 and match, f"producer perf test failed ({code}):\n{output[-3000:]}"
    sent, rate, mb, _, _, p50, _, p99, p999 = match.groups()
    assert int(sent) == records, output[-2000:]
    return {"records/s": float(rate), "MB/s": float(mb), "p50": float(p50), "p99": float(p99), "p99.9": float(p999)}


def one_cluster(workdir: Path, stock: bool, records: int) -> dict[str, float]:
    with running("prod", PROD_SHAPE, workdir) as platform:
        if stock:
            config_map = next(
                m for m in platform.cluster.manifests if m["kind"] == "ConfigMap" and m["metadata"]["name"] == "kafka-config"
            )
            config_map["data"]["server.properties"] = stock_properties(config_map["data"]["server.properties"])
        platform.start_brokers()
        return perf_run(platform, records, "perf")


def disk_ceiling(directory: Path, megabytes: int) -> float:
    """MB/s of dd writing `megabytes` to `directory` and syncing them."""
    target = directory / "ceiling.bin"
    started = time.monotonic()
    subprocess.run(
        ["dd", "if=/dev/zero", f"of={target}", "bs=1M", f"count={megabytes}", "conv=fdatasync"], check=True, capture_output=True
    )
    seconds = time.monotonic() - started
    target.unlink()
    return megabytes / seconds


def run(quick: bool, workdir: Path) -> list[Figure]:
    rounds, records = (1, 20000) if quick else (3, 200000)
    results: dict[str, list[dict[str, float]]] = {"ours": [], "stock": []}
    ceiling: list[float] = []
    megabytes = records * RECORD_SIZE * REPLICATION // 1_000_000
    for round_number in range(rounds):
        for side in ("ours", "stock"):
            started = time.monotonic()
            results[side].append(one_cluster(workdir / f"{side}-{round_number}", side == "stock", records))
            print(
                f"[bench] throughput {side}: {results[side][-1]} ({time.monotonic() - started:.0f}s with the cluster's start)",
                flush=True,
            )
        ceiling.append(disk_ceiling(workdir, megabytes))
    note = f"{records:,} records of {RECORD_SIZE} B, acks=all, RF {REPLICATION}, min ISR 2, 6 partitions, per round"
    figures = [
        Figure(
            "throughput",
            "records/s",
            "rendered prod",
            "stock broker.properties",
            ours=[r["records/s"] for r in results["ours"]],
            reference=[r["records/s"] for r in results["stock"]],
            better="higher",
            goal="≥ 1x",
            goal_ratio=1.0,
            note=note,
        )
    ]
    for percentile in ("p50", "p99", "p99.9"):
        figures.append(
            Figure(
                "throughput",
                f"{percentile} latency ms",
                "rendered prod",
                "stock broker.properties",
                ours=[r[percentile] for r in results["ours"]],
                reference=[r[percentile] for r in results["stock"]],
            )
        )
    figures.append(
        Figure(
            "throughput",
            "disk MB/s (written x RF) vs dd",
            "rendered prod",
            f"dd {megabytes} MB + fdatasync",
            ours=[r["MB/s"] * REPLICATION for r in results["ours"]],
            reference=ceiling,
            better="higher",
            note="ours as a fraction of the physical ceiling (Kafka writes to the page cache and does not fsync each batch)",
        )
    )
    return figures
