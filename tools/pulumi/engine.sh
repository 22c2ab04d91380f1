#!/usr/bin/env bash
# The Pulumi engine built from the Go module proxy, ready to use: builds it if needed (tools/pulumi/build.sh,
# cached), creates VENV with the Python SDKs that match it, and prints the environment to use it:
#   eval "$(tools/pulumi/engine.sh CACHE_DIR VENV)"
# PATH gets the CLI, the language host and the venv's python first (the 3.68 language host runs the
# `python` it finds on PATH); PULUMI_HOME is the engine's own, with the provider plugin installed, and
# plugin downloads are switched off, so nothing is fetched from outside.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${1:?usage: engine.sh CACHE_DIR VENV}"
venv="${2:?usage: engine.sh CACHE_DIR VENV}"
engine="$("$here/build.sh" "$cache")"
# The YAML language host (for Pulumi YAML programs such as examples/yaml), installed as a plugin of the
# engine's PULUMI_HOME: with ambient plugins ignored, the engine looks for it there, not on PATH.
yaml_bin="$("$here/build-yaml.sh" "$cache")"
yaml_version="$(sed -n 's/^YAML_VERSION=//p' "$here/build-yaml.sh")"
yaml_plugin="$engine/home/plugins/language-yaml-$yaml_version"
if [ ! -x "$yaml_plugin/pulumi-language-yaml" ]; then
  mkdir -p "$yaml_plugin" && cp "$yaml_bin/pulumi-language-yaml" "$yaml_plugin/"
fi
# The Python dynamic-resource provider (the program's generated certificates and passwords,
# components/security/provider.py). The CLI looks for it next to itself, which ignoring ambient plugins
# rules out, so it is installed as a plugin of the engine's PULUMI_HOME. It runs `python -m pulumi.dynamic`
# with the python on PATH (the engine's venv first), as the 3.68 language host runs the program; the SDK's
# own launcher would insist on Pulumi.yaml's `virtualenv` (.venv) instead.
langhost_sdk="$(sed -n 's/^LANGHOST_SDK_VERSION=//p' "$engine/versions.env")"
dynamic_plugin="$engine/home/plugins/resource-pulumi-python-$langhost_sdk"
if [ ! -x "$dynamic_plugin/pulumi-resource-pulumi-python" ]; then
  mkdir -p "$dynamic_plugin"
  printf '#!/bin/sh\nexec python3 -u -m pulumi.dynamic "$@"\n' >"$dynamic_plugin/pulumi-resource-pulumi-python"
  chmod 0755 "$dynamic_plugin/pulumi-resource-pulumi-python"
fi
# Installed by uv (scripts/lib/venvs.sh says why), into a venv with pip of its own.
uv="$(KAFKA_DEMO_CACHE="$cache" "$here/../../scripts/lib/venvs.sh" uv)"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
UV_PYTHON_DOWNLOADS=never "$uv" pip install -q --python "$venv/bin/python" -r "$here/requirements.txt" >&2
venv="$(cd "$venv" && pwd)"
cat <<ENV
export PATH="$engine/bin:$venv/bin:\$PATH"
export PULUMI_HOME="$engine/home"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# Only the installed provider plugin, not the binary of the same name on PATH (no warning on every run).
export PULUMI_IGNORE_AMBIENT_PLUGINS=true
export KAFKA_DEMO_PULUMI_ENGINE="$engine"
ENV
