#!/usr/bin/env bash
# Build kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy and kubectl of the
# Kubernetes version pinned in tools/kube/go.mod (every command is also imported by tools.go, so that
# `go mod tidy` keeps their dependencies) from the Go module proxy, into CACHE_DIR/kube-<version>-<key>/,
# and print that folder. Cached by version (and go.mod + go.sum): a warm run prints it at once. A cold
# build (empty Go build cache) takes ~10-15 minutes on 2 cores.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${1:?usage: build.sh CACHE_DIR}"
command -v go >/dev/null || { echo "build.sh: go is required to build the Kubernetes control plane" >&2; exit 1; }
version="$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" {print $3}' "$here/go.mod")"
[ -n "$version" ] || { echo "build.sh: no k8s.io/kubernetes version in $here/go.mod" >&2; exit 1; }
key="$(cat "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-12)"
dest="$cache/kube-$version-$key"
mkdir -p "$cache"
# One build at a time: the test command's build lanes may both ask (scripts/lib/builds.sh); the second waits.
exec 9>"$dest.lock"
flock 9
if [ ! -f "$dest/.complete" ]; then
  rm -rf "$dest"
  mkdir -p "$dest"
  minor="${version#v1.}"; minor="${minor%%.*}"
  echo "building Kubernetes $version (kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl) into $dest" >&2
  start=$(date +%s)
  (cd "$here" && go build -trimpath -o "$dest/" \
    -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy \
    k8s.io/kubernetes/cmd/kubectl) >&2
  echo "built Kubernetes $version in $(( $(date +%s) - start ))s" >&2
  touch "$dest/.complete"
fi
echo "$dest"
