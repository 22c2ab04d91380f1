# shellcheck shell=bash
# shellcheck disable=SC2154  # state, kubeconfig: set by init_paths (common.sh), repo by local-cluster.sh
# Part of scripts/local-cluster.sh (sourced by it, see there): the health checks (also `up`'s) and the
# `status` command.

all_running() {
  local name
  for name in "${COMPONENTS[@]}"; do pid_of "$name" >/dev/null || return 1; done
}

# kube-proxy's /healthz: 200 once its rules are in place and kept up to date.
proxy_healthy() {
  python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "http://127.0.0.1:$KUBE_PROXY_HEALTHZ_PORT/healthz" >/dev/null 2>&1
}

healthy() { # everything running, node Ready, kube-proxy synced, DNS answering, StorageClass and images present
  local image
  all_running || return 1
  [ -x "$KUBE_BIN/kubectl" ] || return 1
  [ "$(kc get node "$NODE" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ] || return 1
  proxy_healthy || return 1
  python3 "$repo/tools/cluster/dns-query.py" "$GATEWAY" kubernetes.default.svc.cluster.local 2 >/dev/null || return 1
  kc get storageclass standard >/dev/null 2>&1 || return 1
  for image in $IMAGES; do
    ctr_ -n k8s.io images ls -q 2>/dev/null | grep -xF "$image" >/dev/null || return 1
  done
}

cmd_status() {
  local name pid running=0 ready
  load_env
  if [ ! -d "$state" ]; then
    log "down (no $state)"
    if proxy_tables >/dev/null; then log "leftover kube-proxy nftables tables: run 'down' to remove them"; fi
    exit 3
  fi
  for name in "${COMPONENTS[@]}"; do
    if pid="$(pid_of "$name")"; then
      printf '  %-24s running, pid %s\n' "$name" "$pid" >&2
      running=$((running + 1))
    else
      printf '  %-24s not running\n' "$name" >&2
    fi
  done
  ready=""
  if [ -x "${KUBE_BIN:-/nonexistent}/kubectl" ]; then
    ready="$(kc get node "$NODE" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" || true
  fi
  log "node $NODE Ready: ${ready:-unknown}"
  if pid_of kube-proxy >/dev/null; then
    if proxy_healthy; then log "kube-proxy: rules in sync (nftables tables ip/ip6 kube-proxy)"; else log "kube-proxy: not healthy (127.0.0.1:$KUBE_PROXY_HEALTHZ_PORT/healthz)"; fi
  fi
  if [ -f "$state/up.ok" ] && [ "$running" = "${#COMPONENTS[@]}" ] && [ "$ready" = True ]; then
    log "up ($MODE images)"
    echo "export KUBECONFIG=$kubeconfig"
    exit 0
  fi
  if [ "$running" = 0 ]; then
    log "down (leftovers in $state: run 'down' to remove them)"
    exit 3
  fi
  log "broken: not every component runs or the node is not Ready (logs: $state/logs); run 'down', then 'up'"
  exit 1
}
