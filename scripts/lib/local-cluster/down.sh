# shellcheck shell=bash
# shellcheck disable=SC2154  # state, before: set by init_paths (common.sh)
# Part of scripts/local-cluster.sh (sourced by it, see there): the `down` command, and do_down, which
# undoes every change `up` made to this machine in named steps (`up` runs it too, before it starts
# over after an earlier run).

# Each step says what it removed (stdout, one line each) with say, and counts it in do_down's `removed`.
say() { echo "  $*"; removed=$((removed + 1)); }

# Undo the changes to this machine. Every step tolerates missing pieces (a failed or interrupted
# `up`, a second `down`). Prints what it removed (to stdout), one line each. The order matters: the
# workloads while the node still runs, then the processes (nothing recreates what the later steps
# remove), then what they left behind (mounts, network, netfilter rules, sysctls, cgroups, paths),
# then the state dir, which the steps before read.
do_down() {
  local -   # set +e stays inside: each step runs whatever happened before it
  set +e
  local removed=0
  load_env
  down_workloads
  down_containers
  down_processes
  down_mounts
  down_network
  down_proxy_rules
  down_iptables
  down_sysctls
  down_cgroups
  down_paths
  down_state_dir
  [ "$removed" -gt 0 ] || echo "  nothing to remove"
}

# 1. The workloads (namespaces of the stacks, everything in default, then the provisioner's namespace),
#    deleted through the API while the kubelet still runs: it unmounts their volumes and the CNI plugin
#    removes their network, and the provisioner deletes their volumes (its helper pods need the node).
#    Bounded waits; what is left is stopped by force in the next steps. Only with a reachable API server.
down_workloads() {
  local kubectl_ok=no ns i
  if [ -x "${KUBE_BIN:-/nonexistent}/kubectl" ] && pid_of kube-apiserver >/dev/null && kc get --raw /readyz >/dev/null 2>&1; then
    kubectl_ok=yes
  fi
  if [ "$kubectl_ok" = yes ] && pid_of kubelet >/dev/null; then
    local namespaces
    namespaces="$(kc get namespaces -o name 2>/dev/null | sed 's|^namespace/||' \
      | grep -vxE "default|kube-system|kube-public|kube-node-lease|$STORAGE_NAMESPACE" || true)"
    if [ -n "$namespaces" ]; then
      log "deleting namespaces: $(echo "$namespaces" | tr '\n' ' ')(bounded wait)"
      # shellcheck disable=SC2086  # one argument per namespace: the word splitting is the point
      kc delete namespace $namespaces --wait=false >/dev/null 2>&1 || true
      for ns in $namespaces; do say "namespace $ns"; done
    fi
    kc delete pods,deployments,statefulsets,daemonsets,replicasets,jobs,cronjobs,persistentvolumeclaims --all \
      -n default --wait=false >/dev/null 2>&1 || true
    for ((i = 0; i < 180; i++)); do   # namespaces gone, then the volumes (the provisioner's teardown)
      if ! kc get namespaces -o name 2>/dev/null | grep -vE "/(default|kube-system|kube-public|kube-node-lease|$STORAGE_NAMESPACE)$" >/dev/null \
        && [ -z "$(kc get pv -o name 2>/dev/null)" ]; then
        break
      fi
      sleep 1
    done
    kc delete namespace "$STORAGE_NAMESPACE" --wait=false >/dev/null 2>&1 || true
    for ((i = 0; i < 90; i++)); do    # every pod gone from the node
      [ -z "$(kc get pods -A -o name 2>/dev/null)" ] && break
      sleep 1
    done
    [ -z "$(kc get pods -A -o name 2>/dev/null)" ] || log "pods still present after the bounded wait: stopping them by force"
  fi
}

# 2. The kubelet (first, so that it restarts no container), then whatever containers remain:
#    containerd's tasks and containers while containerd still runs, then those runc still knows.
down_containers() {
  local pid name
  if pid="$(pid_of kubelet)"; then stop_pids 30 "$pid"; say "process kubelet (pid $pid)"; fi
  if pid_of containerd >/dev/null; then
    local tasks
    tasks="$(ctr_ -n k8s.io tasks ls -q 2>/dev/null)"
    for name in $tasks; do
      ctr_ -n k8s.io tasks kill -a -s SIGKILL "$name" >/dev/null 2>&1 || true
    done
    [ -z "$tasks" ] || sleep 1
    for name in $(ctr_ -n k8s.io tasks ls -q 2>/dev/null); do
      ctr_ -n k8s.io tasks rm -f "$name" >/dev/null 2>&1 && say "container task $name"
    done
    for name in $(ctr_ -n k8s.io containers ls -q 2>/dev/null); do
      ctr_ -n k8s.io containers rm "$name" >/dev/null 2>&1 && say "container $name"
    done
  fi
  if [ -d "$state/runc" ]; then
    for name in $(runc --root "$state/runc" list -q 2>/dev/null); do
      runc --root "$state/runc" kill "$name" KILL >/dev/null 2>&1 || true
      runc --root "$state/runc" delete -f "$name" >/dev/null 2>&1 && say "runc container $name"
    done
  fi
}

# 3. The processes: containerd; then the API server's clients together, the API server, etcd (the API
#    server takes long to stop without etcd); then anything else of ours (leftover_pids); last, the
#    processes still in the cgroups the kubelet made (containers that lost their runtime).
down_processes() {
  local pid name dir
  if pid="$(pid_of containerd)"; then stop_pids 20 "$pid"; say "process containerd (pid $pid)"; fi
  local pids=() group
  for group in "local-path-provisioner coredns kube-proxy kube-scheduler kube-controller-manager" kube-apiserver etcd; do
    pids=()
    for name in $group; do
      if pid="$(pid_of "$name")"; then pids+=("$pid"); say "process $name (pid $pid)"; fi
    done
    stop_pids 20 "${pids[@]}"
  done
  pids=()
  for pid in $(leftover_pids); do
    say "process $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-80) (pid $pid)"
    pids+=("$pid")
  done
  stop_pids 5 "${pids[@]}"
  # Processes still in the cgroups the kubelet made (containers that lost their runtime).
  if [ -f "$before/cgroups" ]; then
    while read -r pid; do
      name="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-60)"
      kill -KILL "$pid" 2>/dev/null && say "container process $pid ($name)"
    done < <(new_cgroups | while IFS= read -r dir; do cat "$dir/cgroup.procs" 2>/dev/null; done | sort -un)
  fi
}

# 4. Mounts, once nothing uses them: under the state dir (kubelet root dir and volumes, containerd's
#    overlays and shm) and the pods' network namespaces; deepest first, a lazy unmount as the last resort.
down_mounts() {
  local target
  while IFS= read -r target; do
    umount "$target" 2>/dev/null || umount -l "$target" 2>/dev/null || true
    say "mount $target"
  done < <(our_mounts)
}

# 5. Network, once the pods are gone: the pods' network namespaces, the veths on our bridge, the bridge,
#    then veths left behind by pods whose namespace is gone.
down_network() {
  local ns link
  for ns in $(list_dir /run/netns); do
    [[ "$ns" == cni-* ]] || continue
    grep -qxF "$ns" "$before/netns" 2>/dev/null && continue
    ip netns delete "$ns" 2>/dev/null || rm -f "/run/netns/$ns"
    say "network namespace $ns"
  done
  for link in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//'); do
    ip link delete "$link" 2>/dev/null && say "veth $link"
  done
  if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link delete "$BRIDGE" && say "bridge $BRIDGE"; fi
  if [ -f "$before/links" ]; then   # veths left behind by pods (their namespace is gone)
    for link in $(ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//'); do
      grep -qxF "$link" "$before/links" && continue
      [[ "$link" == veth* ]] || continue
      ip link delete "$link" 2>/dev/null && say "veth $link"
    done
  fi
}

# 6. kube-proxy's rules (it leaves them in place when it stops, so only now that it is stopped):
#    `kube-proxy --cleanup` deletes its nftables tables and any KUBE-* chains of its iptables and ipvs
#    modes; checked at the end of step 7.
down_proxy_rules() {
  if [ -f "$state/pids/kube-proxy" ] || proxy_tables >/dev/null; then
    cleanup_proxy
  fi
}

# 7. iptables: chains and rules that appeared since `up` (kubelet, CNI plugins) are removed, with
#    iptables-restore --noflush so nothing else is touched; other differences are only reported. After
#    step 6, so that the check that no kube-proxy table or new KUBE-* chain is left covers both.
down_iptables() {
  local table
  if [ -f "$before/iptables" ]; then
    for table in iptables ip6tables; do
      restore_iptables "$table"
    done
  fi
  check_proxy_cleanup
  if [ -f "$before/nft" ] && command -v nft >/dev/null; then
    nft list ruleset 2>/dev/null | diff -q "$before/nft" - >/dev/null \
      || log "note: the nftables ruleset differs from before 'up' (not changed by this script; iptables-nft rules are handled above)"
  fi
}

# 8. sysctls: every value that differs from before `up` is set back (the kubelet sets
#    vm.overcommit_memory, vm.panic_on_oom, kernel.panic, kernel.panic_on_oops, kernel.keys.*), once
#    no process of ours can change one again.
down_sysctls() {
  local line key value
  if [ -f "$before/sysctl" ]; then
    while IFS= read -r line; do
      key="${line%% = *}"
      value="${line#* = }"
      if sysctl -q -w "$key=$value" >/dev/null 2>&1; then
        say "sysctl $key restored to $value"
      else
        log "could not restore sysctl $key to $value"
      fi
    done < <(changed_sysctls)
  fi
}

# 9. cgroups the kubelet and containerd created, in every hierarchy, deepest first (rmdir only: after
#    step 3, so that they are empty).
down_cgroups() {
  local dir
  if [ -f "$before/cgroups" ]; then
    while IFS= read -r dir; do
      if rmdir "$dir" 2>/dev/null; then say "cgroup $dir"; else log "could not remove cgroup $dir"; fi
    done < <(new_cgroups | awk '{print length($0) " " $0}' | sort -rn | cut -d' ' -f2-)
  fi
}

# 10. Paths outside the state dir that this run created (kubelet, CNI, containerd defaults), and the
#     shim sockets of this run, after the mounts under them are gone (step 4).
down_paths() {
  local target
  if [ -f "$before/paths" ]; then
    for target in "${WATCHED_PATHS[@]}"; do
      [ -e "$target" ] || continue
      grep -qxF "$target" "$before/paths" && continue
      if [ "$target" = /run/netns ]; then   # shared with `ip netns` users (the real-Kafka tier)
        rmdir /run/netns 2>/dev/null && say "directory /run/netns"
        continue
      fi
      rm -rf "$target" && say "directory $target"
    done
  fi
  if [ -f "$before/containerd-sockets" ] && grep -qxF /run/containerd "$before/paths"; then
    for target in $(list_dir /run/containerd/s); do   # only the shim sockets of this run
      grep -qxF "$target" "$before/containerd-sockets" || { rm -f "/run/containerd/s/$target" && say "socket /run/containerd/s/$target"; }
    done
  fi
}

# 11. The state dir (certificates, etcd, containerd's images, volumes, logs, snapshots) last: the
#     steps before read its PIDs, configuration and snapshots. Left in place if anything under it is
#     still mounted.
down_state_dir() {
  if [ -e "$state" ]; then
    if findmnt -rn -o TARGET | grep "^$state/" >/dev/null; then
      log "still mounted under $state; leaving it in place:"
      findmnt -rn -o TARGET | grep "^$state/" >&2
    else
      rm -rf "$state" && say "state dir $state"
    fi
  fi
}

cmd_down() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  if [ ! -e "$state" ] && ! ip link show "$BRIDGE" >/dev/null 2>&1 && [ -z "$(leftover_pids)" ] && ! proxy_tables >/dev/null; then
    log "nothing to do: no cluster state in $state"
    return 0
  fi
  local start
  start=$(now)
  log "stopping the cluster in $state and undoing its changes; removed:"
  do_down
  log "down in $(( $(now) - start ))s"
}
