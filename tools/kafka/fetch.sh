#!/usr/bin/env bash
# Fetch the jars of a pom in tools/kafka (default pom.xml: Kafka 3.9 + ZooKeeper) from Maven Central
# into a cache directory (one folder per pom content), and print that folder. Warm runs print it at once.
#   fetch.sh CACHE_DIR [POM_FILE_NAME]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${1:?usage: fetch.sh CACHE_DIR [POM_FILE_NAME]}"
pom="$here/${2:-pom.xml}"
command -v java >/dev/null || { echo "fetch.sh: java is required for the real-Kafka tests" >&2; exit 1; }
command -v mvn >/dev/null || { echo "fetch.sh: mvn (Maven) is required to fetch Kafka" >&2; exit 1; }
key="$(sha256sum "$pom" | cut -c1-16)"
dest="$cache/kafka-jars-$key"
mkdir -p "$cache"
# One fetch of a pom at a time: the test command and its background builds may ask at once.
exec 9>"$dest.lock"
flock 9
if [ ! -f "$dest/.complete" ]; then
  rm -rf "$dest"
  mkdir -p "$dest"
  echo "fetching the jars of $(basename "$pom") from Maven Central into $dest" >&2
  mvn -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$dest" >&2
  ls "$dest"/kafka_2.13-*.jar >/dev/null
  touch "$dest/.complete"
fi
echo "$dest"
