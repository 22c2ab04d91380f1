#!/usr/bin/env bash
# Build a real Pulumi engine from the Go module proxy, for machines where the official installer cannot
# run (it downloads from outside the package registries), into CACHE_DIR/pulumi-<versions>/, and print
# that folder. Only the binaries are cached (the Go build cache is not ours to keep); a warm run prints
# the folder at once. Cold on 2 cores: CLI ~4 min, provider ~9 min, language host ~1 min.
#   bin/pulumi                          the Pulumi CLI
#   bin/pulumi-resource-kubernetes      the pulumi-kubernetes provider, stamped with its release version
#   bin/pulumi-language-python(-exec)   the Python language host (only plain `pulumi up` needs it; the
#                                       Automation API with an inline program runs without it)
#   home/                               a private PULUMI_HOME with the provider installed as a plugin, so
#                                       the engine never tries to download one
#   versions.env                        the versions, for the venv pins (tools/pulumi/requirements.txt)
# usage: build.sh CACHE_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${1:?usage: build.sh CACHE_DIR}"
# shellcheck source=tools/pulumi/versions.env
. "$here/versions.env"
command -v go >/dev/null || { echo "tools/pulumi/build.sh: go is required to build the Pulumi engine" >&2; exit 1; }
dest="$cache/pulumi-$CLI_VERSION-k$PROVIDER_VERSION-py$LANGHOST_SDK_VERSION"
[ -f "$dest/.complete" ] && { echo "$dest"; exit 0; }
mkdir -p "$dest/bin"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod
modcache="$(go env GOMODCACHE)"
say() { echo "[tools/pulumi] $*" >&2; }
# A tools.go that makes a module depend on one command.
tools_go() { printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$1"; }

if [ ! -x "$dest/bin/pulumi" ]; then
  start=$(date +%s); say "building the Pulumi CLI $CLI_VERSION"
  go mod download "github.com/pulumi/pulumi/pkg/v3@$CLI_VERSION" >&2
  mkdir "$work/cli" && cd "$work/cli"
  # pkg/v3 has one replace of its own; a dependant module must repeat it (Go ignores dependencies' replaces).
  cat > go.mod <<MOD
module kafka-demo/tools/pulumi-cli

go 1.24

require (
	github.com/pulumi/pulumi/pkg/v3 $CLI_VERSION
	github.com/pulumi/pulumi/sdk/v3 $CLI_VERSION
)

replace $(grep -E '^replace github.com/atotto/clipboard' "$modcache/github.com/pulumi/pulumi/pkg/v3@$CLI_VERSION/go.mod" | sed 's/^replace //')
MOD
  tools_go github.com/pulumi/pulumi/pkg/v3/cmd/pulumi > tools.go
  install -m 644 "$modcache/github.com/pulumi/pulumi/pkg/v3@$CLI_VERSION/go.sum" go.sum
  go mod tidy >&2
  go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$CLI_VERSION" \
    -o "$dest/bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
  mv "$dest/bin/pulumi.tmp" "$dest/bin/pulumi"
  say "pulumi $CLI_VERSION built in $(( $(date +%s) - start ))s"
fi

if [ ! -x "$dest/bin/pulumi-resource-kubernetes" ]; then
  start=$(date +%s); say "building pulumi-resource-kubernetes $PROVIDER_VERSION ($PROVIDER_MODULE@$PROVIDER_PSEUDO)"
  cd "$work"
  dir="$(go mod download -json "$PROVIDER_MODULE@$PROVIDER_PSEUDO" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [ -n "$dir" ] || { say "the Go module proxy did not serve $PROVIDER_MODULE@$PROVIDER_PSEUDO"; exit 1; }
  cp -r "$dir" "$work/provider" && chmod -R u+w "$work/provider" && cd "$work/provider"
  # The module points its Go SDK at ../sdk (a path inside its repository): use the published one instead.
  sed -i "s#^replace github.com/pulumi/pulumi-kubernetes/sdk/v4 => ../sdk#replace github.com/pulumi/pulumi-kubernetes/sdk/v4 => github.com/pulumi/pulumi-kubernetes/sdk/v4 $PROVIDER_GO_SDK#" go.mod
  go mod download github.com/pulumi/pulumi-kubernetes/sdk/v4 >&2
  # go generate embeds the provider schema stamped with the release version.
  (cd cmd/pulumi-resource-kubernetes && VERSION="$PROVIDER_VERSION" go generate ./main.go) >&2
  go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PROVIDER_VERSION" \
    -o "$dest/bin/pulumi-resource-kubernetes.tmp" ./cmd/pulumi-resource-kubernetes >&2
  mv "$dest/bin/pulumi-resource-kubernetes.tmp" "$dest/bin/pulumi-resource-kubernetes"
  say "pulumi-resource-kubernetes $PROVIDER_VERSION built in $(( $(date +%s) - start ))s"
fi

if [ ! -x "$dest/bin/pulumi-language-python" ]; then
  start=$(date +%s); say "building pulumi-language-python from sdk/v3@$LANGHOST_SDK_VERSION"
  cd "$work" && go mod download "github.com/pulumi/pulumi/sdk/v3@$LANGHOST_SDK_VERSION" >&2
  mkdir "$work/langhost" && cd "$work/langhost"
  # golang.org/x/text is held back to the release this SDK was built with (newer ones need a newer Go API).
  printf 'module kafka-demo/tools/pulumi-langhost\n\ngo 1.18\n\nrequire github.com/pulumi/pulumi/sdk/v3 %s\n\nreplace golang.org/x/text => golang.org/x/text v0.3.6\n' "$LANGHOST_SDK_VERSION" > go.mod
  tools_go github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python > tools.go
  install -m 644 "$modcache/github.com/pulumi/pulumi/sdk/v3@$LANGHOST_SDK_VERSION/go.sum" go.sum
  go mod tidy >&2
  go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANGHOST_SDK_VERSION" \
    -o "$dest/bin/pulumi-language-python.tmp" github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python >&2
  install -m 755 "$modcache/github.com/pulumi/pulumi/sdk/v3@$LANGHOST_SDK_VERSION/python/cmd/pulumi-language-python-exec" "$dest/bin/"
  mv "$dest/bin/pulumi-language-python.tmp" "$dest/bin/pulumi-language-python"
  say "pulumi-language-python $LANGHOST_SDK_VERSION built in $(( $(date +%s) - start ))s"
fi

# The provider as an installed plugin of a private PULUMI_HOME: the engine finds it there and downloads nothing.
rm -rf "${dest:?}/home"
PULUMI_HOME="$dest/home" PULUMI_SKIP_UPDATE_CHECK=true "$dest/bin/pulumi" plugin install resource kubernetes \
  "$PROVIDER_VERSION" --file "$dest/bin/pulumi-resource-kubernetes" >&2
cp "$here/versions.env" "$dest/versions.env"
touch "$dest/.complete"
echo "$dest"
