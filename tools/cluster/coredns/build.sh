#!/usr/bin/env bash
# Build the local cluster's CoreDNS (main.go: CoreDNS at the version go.mod pins, with the plugins the
# Corefile uses) from the Go module proxy into CACHE_DIR/coredns-<version>-<key>/coredns, and print that
# path. Cached by version and by go.mod, go.sum and main.go: a warm run prints it at once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${1:?usage: build.sh CACHE_DIR}"
command -v go >/dev/null || { echo "build.sh: go is required to build CoreDNS" >&2; exit 1; }
version="$(awk '$1 == "require" && $2 == "github.com/coredns/coredns" {print $3}' "$here/go.mod")"
[ -n "$version" ] || { echo "build.sh: no github.com/coredns/coredns version in $here/go.mod" >&2; exit 1; }
key="$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" | sha256sum | cut -c1-12)"
dest="$cache/coredns-$version-$key"
if [ ! -f "$dest/.complete" ]; then
  rm -rf "$dest"
  mkdir -p "$dest"
  echo "building CoreDNS $version (the local cluster's plugins) into $dest" >&2
  start=$(date +%s)
  # -trimpath and -s -w: a smaller binary that does not depend on this machine's paths.
  (cd "$here" && GOFLAGS=-buildvcs=false go build -trimpath -ldflags "-s -w" -o "$dest/coredns" .) >&2
  echo "built CoreDNS $version in $(( $(date +%s) - start ))s" >&2
  touch "$dest/.complete"
fi
echo "$dest/coredns"
