#!/usr/bin/env bash
# Build the Pulumi YAML language host (pulumi-language-yaml) from the Go module proxy, for machines where
# the official installer cannot run, into CACHE_DIR/pulumi-yaml-<version>/bin/, and print that folder
# (put it on PATH next to the engine of tools/pulumi/build.sh to run `runtime: yaml` programs). Only the
# binary is cached; a warm run prints the folder at once. Cold on 2 cores: ~2 min (1m41s with an empty
# Go build cache, modules already downloaded).
# usage: build-yaml.sh CACHE_DIR
set -euo pipefail
cache="${1:?usage: build-yaml.sh CACHE_DIR}"
# The newest pulumi-yaml the Go module proxy serves.
YAML_MODULE=github.com/pulumi/pulumi-yaml
YAML_VERSION=v1.25.0
command -v go >/dev/null || { echo "tools/pulumi/build-yaml.sh: go is required to build the YAML language host" >&2; exit 1; }
dest="$cache/pulumi-yaml-$YAML_VERSION/bin"
[ -x "$dest/pulumi-language-yaml" ] && { echo "$dest"; exit 0; }
mkdir -p "$dest"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod
say() { echo "[tools/pulumi] $*" >&2; }

start=$(date +%s); say "building pulumi-language-yaml from $YAML_MODULE@$YAML_VERSION"
cd "$work"
dir="$(go mod download -json "$YAML_MODULE@$YAML_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
[ -n "$dir" ] || { say "the Go module proxy did not serve $YAML_MODULE@$YAML_VERSION"; exit 1; }
# Built inside a copy of the module itself, so its go.mod and go.sum pin every dependency. It has no
# replace directives and needs no `go generate`; the one replace of its pulumi/pkg/v3 dependency (a
# clipboard fork) only matters to the CLI, which the language host does not link.
cp -r "$dir" "$work/yaml" && chmod -R u+w "$work/yaml" && cd "$work/yaml"
go build -trimpath -ldflags "-s -w -X $YAML_MODULE/pkg/version.Version=$YAML_VERSION" \
  -o "$dest/pulumi-language-yaml.tmp" ./cmd/pulumi-language-yaml >&2
mv "$dest/pulumi-language-yaml.tmp" "$dest/pulumi-language-yaml"
say "pulumi-language-yaml $YAML_VERSION built in $(( $(date +%s) - start ))s"
echo "$dest"
