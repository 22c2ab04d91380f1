#!/usr/bin/env bash
# The benchmarks: scripts/bench.sh [--quick] [NAME...]   (names: python -m bench --help)
# Sets up what they use (the test venv, the Kafka jars from Maven Central, cached like the test command's),
# then runs them and prints one table; results go to bench/results/ (--quick: bench/results/quick/).
# Benchmarks that run Kafka use the real-Kafka tier's harness: root (network and mount namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."
export KAFKA_DEMO_CACHE="${KAFKA_DEMO_CACHE:-$HOME/.cache/kafka-demo}"
mkdir -p "$KAFKA_DEMO_CACHE"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements-test.txt
KAFKA_DEMO_JARS="$(tools/kafka/fetch.sh "$KAFKA_DEMO_CACHE")"
KAFKA_DEMO_JARS_4="$(tools/kafka/fetch.sh "$KAFKA_DEMO_CACHE" pom-kafka4.xml)"
export KAFKA_DEMO_JARS KAFKA_DEMO_JARS_4
exec .venv/bin/python -m bench "$@"
