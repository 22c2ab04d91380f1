#!/usr/bin/env bash
# Build one Go command from the Go module proxy with `go install` and cache the binary by version:
#   build-go-binary.sh CACHE_DIR MODULE_PACKAGE@VERSION
# e.g. build-go-binary.sh ~/.cache/kafka-demo github.com/rancher/local-path-provisioner@v0.0.30
# puts the binary in CACHE_DIR/<name>-<version>/<name> (name = last element of the package path) and
# prints that path. A warm run prints it at once; only the binary is kept, not Go's build cache.
set -euo pipefail
cache="${1:?usage: build-go-binary.sh CACHE_DIR PACKAGE@VERSION}"
package="${2:?usage: build-go-binary.sh CACHE_DIR PACKAGE@VERSION}"
version="${package##*@}"
path="${package%@*}"
name="${path##*/}"
if [ "$version" = "$package" ] || [ -z "$version" ]; then
  echo "build-go-binary.sh: $package has no @VERSION" >&2
  exit 2
fi
dest="$cache/$name-$version"
if [ ! -f "$dest/.complete" ]; then
  command -v go >/dev/null || { echo "build-go-binary.sh: go is required to build $name" >&2; exit 1; }
  rm -rf "$dest"
  mkdir -p "$dest"
  echo "building $name $version from the Go module proxy into $dest" >&2
  start=$(date +%s)
  # -trimpath and -s -w: a smaller binary that does not depend on this machine's paths.
  GOBIN="$dest" GOFLAGS=-buildvcs=false go install -trimpath -ldflags "-s -w" "$package" >&2
  [ -x "$dest/$name" ] || { echo "build-go-binary.sh: go install did not produce $dest/$name" >&2; exit 1; }
  echo "built $name $version in $(( $(date +%s) - start ))s" >&2
  touch "$dest/.complete"
fi
echo "$dest/$name"
