#!/usr/bin/env bash
# Pin another Kubernetes release: rewrite go.mod to require k8s.io/kubernetes VERSION and to replace
# every staging module that its go.mod lists at v0.0.0 with the matching v0.MINOR.PATCH, then tidy.
#   tools/kube/pin.sh v1.37.2
set -euo pipefail
cd "$(dirname "$0")"
version="${1:?usage: pin.sh vX.Y.Z}"
staging="v0.${version#v1.}"
upstream="$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')"
{
  echo "// Build module for the real Kubernetes control plane of tests/kube: tools/kube/build.sh builds from it."
  echo "module kafka-demo/tools/kube"
  echo
  echo "go $(awk '$1 == "go" {print $2; exit}' "$upstream")"
  echo
  echo "require k8s.io/kubernetes $version"
  echo
  echo "replace ("
  # sample-* modules are not published; nothing we build imports them.
  awk '$2 == "=>" && $3 ~ /^\.\/staging\// {print $1}' "$upstream" | grep -v '/sample-' | while read -r module; do
    printf '\t%s => %s %s\n' "$module" "$module" "$staging"
  done
  echo ")"
} > go.mod
rm -f go.sum
go mod tidy
echo "pinned Kubernetes $version"
