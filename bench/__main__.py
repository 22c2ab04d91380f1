"""The benchmarks: `python -m bench [--quick] [NAME...]` (scripts/bench.sh sets up what they need).

Prints one table (each benchmark, our figure, the reference's, the ratio, rounds and spread) and writes it
as JSON, Markdown and an SVG plot: a full run into bench/results/, a --quick run (one short round each:
does every benchmark still produce its figures?) into bench/results/quick/, which git ignores.
Exit status 1 when a benchmark failed or produced no figures.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench import demo_up, engine_cost, producer_cost, program_cost, recovery, rolling, throughput
from bench.report import Figure, table, write

BENCHMARKS = {
    "demo-up": demo_up.run,
    "producer-cost": producer_cost.run,
    "throughput": throughput.run,
    "rolling": rolling.run,
    "recovery": recovery.run,
    "program-cost": program_cost.run,
    "engine-cost": engine_cost.run,
}
# The ones that run the real Pulumi engine on the local single-node cluster (bench/local.py); the others
# run on the real-Kafka tier's harness or need Python alone.
ON_LOCAL_CLUSTER = ("demo-up", "engine-cost")
RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, str]:
    memory = ""
    try:
        kib = int(next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")).split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    cpus = os.cpu_count() or 0
    model = ""
    with contextlib.suppress(OSError, StopIteration):
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    summary = f"{cpus} cores ({model}), {memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    return {"summary": summary, "cores": str(cpus), "memory": memory, "cpu": model, "date": time.strftime("%Y-%m-%d")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one short round of each: checks that each produces its figures")
    parser.add_argument("--out", type=Path, help="where to write the results (default: bench/results, or bench/results/quick)")
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"benchmarks to run (default: all): {', '.join(BENCHMARKS)}")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    names = args.names or list(BENCHMARKS)

    figures: list[Figure] = []
    failed: list[str] = []
    for name in names:
        workdir = Path(tempfile.mkdtemp(prefix=f"kafka-demo-bench-{name}-"))
        started = time.monotonic()
        print(f"[bench] {name}: running{' (quick)' if args.quick else ''}", flush=True)
        try:
            produced = BENCHMARKS[name](quick=args.quick, workdir=workdir)
        except Exception:  # one benchmark's failure is reported, the others still run
            traceback.print_exc()
            failed.append(f"{name}: failed (traceback above)")
            produced = None
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        if produced is not None and not (produced and all(f.complete() for f in produced)):
            failed.append(f"{name}: produced no complete figures")
        figures += produced or []
        print(f"[bench] {name}: {time.monotonic() - started:.1f}s", flush=True)

    facts = machine()
    print(f"\nMachine: {facts['summary']}\n")
    print(table(figures))
    for figure in figures:
        if figure.note:
            print(f"  {figure.benchmark} / {figure.what}: {figure.note}")
    out = args.out or (RESULTS / "quick" if args.quick else RESULTS)
    for path in write(figures, out, facts):
        print(f"wrote {path}")
    if failed:
        print("\n" + "\n".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
