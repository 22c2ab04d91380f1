"""Benchmark 6, the program's own cost: `render.py` (the whole Pulumi program on the SDK's mock engine,
manifests written to a folder) of the prod stack with 1, 3 and 9 brokers (9 is the largest supported
count), wall seconds and peak memory, sizes interleaved round by round. Each larger size is a figure
against 1 broker, so the ratio is the growth; the note gives the growth per broker.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from bench.processes import timed
from bench.report import Figure
from components.config.stack_files import ROOT

SIZES = (1, 3, 9)


def overrides(brokers: int) -> list[str]:
    """prod with N brokers; one broker cannot hold RF 3 / min ISR 2, so it gets RF 1 / min ISR 1."""
    sets = [f"kafka.replicas={brokers}"]
    if brokers < 3:
        sets += [
            "kafka.defaultReplicationFactor=1",
            "kafka.minInsyncReplicas=1",
            "topic.replicationFactor=1",
            "topic.minInsyncReplicas=1",
        ]
    return sets


def render(brokers: int, out: Path) -> tuple[float, float]:
    """(wall seconds, peak MiB) of one render.py of prod with `brokers` brokers into `out`."""
    command = [sys.executable, str(ROOT / "render.py"), "--stack", "prod", "--out", str(out)]
    for value in overrides(brokers):
        command += ["--set", value]
    wall, peak = timed(command, cwd=ROOT)
    written = len(list(out.glob("*.yaml")))
    assert written > 10, f"render.py wrote only {written} manifests for {brokers} brokers"
    return wall, peak


def run(quick: bool, workdir: Path) -> list[Figure]:
    rounds = 1 if quick else 5
    seconds: dict[int, list[float]] = {n: [] for n in SIZES}
    memory: dict[int, list[float]] = {n: [] for n in SIZES}
    render(SIZES[0], workdir / "warm-up")  # the first run pays for bytecode compilation and a cold page cache
    for round_number in range(rounds):
        for brokers in SIZES:
            wall, peak = render(brokers, workdir / f"render-{brokers}-{round_number}")
            seconds[brokers].append(wall)
            memory[brokers].append(peak)
    figures = []
    for brokers in SIZES[1:]:
        per_broker = (statistics.median(seconds[brokers]) - statistics.median(seconds[1])) / (brokers - 1)
        figures.append(
            Figure(
                "program-cost",
                f"render.py s, prod, {brokers} brokers vs 1",
                f"{brokers} brokers",
                "1 broker",
                ours=seconds[brokers],
                reference=seconds[1],
                better="growth",
                note=f"{per_broker * 1000:+.0f} ms per broker",
            )
        )
        per_broker_mib = (statistics.median(memory[brokers]) - statistics.median(memory[1])) / (brokers - 1)
        figures.append(
            Figure(
                "program-cost",
                f"render.py peak MiB, prod, {brokers} brokers vs 1",
                f"{brokers} brokers",
                "1 broker",
                ours=memory[brokers],
                reference=memory[1],
                better="growth",
                note=f"{per_broker_mib:+.1f} MiB per broker",
            )
        )
    return figures
