# shellcheck shell=bash
# shellcheck disable=SC2154  # state, before: set by init_paths (common.sh)
# Part of scripts/local-cluster.sh (sourced by it, see there): the snapshots of the machine `up` takes
# before it changes anything (in $before), and what has changed since (mounts, cgroups, sysctls), for
# `down` to undo.

list_dir() { # the names in a directory, sorted; nothing if it does not exist
  [ -d "$1" ] || return 0
  find "$1" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort
}

iptables_dump() { # normalized: no comments, no packet counters
  "$1" 2>/dev/null | sed -e '/^#/d' -e 's/ \[[0-9]*:[0-9]*\]$//'
}

snapshot() {
  local dir="$1" path
  mkdir -p "$dir"
  sysctl -a 2>/dev/null | grep -Ev "$VOLATILE_SYSCTLS" >"$dir/sysctl" || true
  iptables_dump iptables-save >"$dir/iptables"
  iptables_dump ip6tables-save >"$dir/ip6tables"
  if command -v nft >/dev/null; then nft list ruleset >"$dir/nft" 2>/dev/null || true; fi
  find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | sort >"$dir/cgroups"
  findmnt -rn -o TARGET | sort >"$dir/mounts"
  ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort >"$dir/links"
  list_dir /run/netns >"$dir/netns"
  list_dir /run/containerd/s >"$dir/containerd-sockets"
  : >"$dir/paths"
  for path in "${WATCHED_PATHS[@]}"; do
    [ -e "$path" ] && echo "$path" >>"$dir/paths"
  done
  return 0
}

# Mount points of ours, deepest first: under the state dir, the pods' network namespaces, and under
# paths this run created.
our_mounts() {
  findmnt -rn -o TARGET | while IFS= read -r target; do
    target="$(printf '%b' "$target")"   # findmnt -r escapes blanks as \x20
    if [[ "$target" == "$state/"* ]] || { [[ "$target" == /run/netns/cni-* ]] && ! grep -qxF "$target" "$before/mounts" 2>/dev/null; }; then
      echo "$target"
    elif [ -f "$before/mounts" ] && ! grep -qxF "$target" "$before/mounts"; then
      case "$target" in /var/lib/kubelet/* | /run/containerd/* | /var/lib/containerd/*) echo "$target" ;; esac
    fi
  done | awk '{print length($0) " " $0}' | sort -rn | cut -d' ' -f2-
}

# Cgroup directories created since `up` by the kubelet (kubepods*) and containerd (k8s.io, its own
# namespace's name): only those, so a cgroup someone else made meanwhile stays.
new_cgroups() {
  find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | sort | comm -13 "$before/cgroups" - \
    | grep -E '^/sys/fs/cgroup/[^/]+/(kubepods|k8s\.io|kubelet|kube-|system\.slice|pods?/)' || true
}

# sysctl lines ("key = value", the value before `up`) whose value has changed since.
changed_sysctls() {
  local now_file
  now_file="$(mktemp)"
  sysctl -a 2>/dev/null | grep -Ev "$VOLATILE_SYSCTLS" >"$now_file" || true
  # Keys present in both snapshots with different values; print the old line. Keys listed on more
  # than one line (read-only lists such as kernel.core_modes) are not settable: skipped.
  awk -F ' = ' 'NR == FNR { now[$1] = substr($0, length($1) + 4); seen[$1]++; next }
                { old[$1] = substr($0, length($1) + 4); count[$1]++ }
                END { for (k in old) if (count[k] == 1 && seen[k] == 1 && now[k] != old[k]) print k " = " old[k] }' \
    "$now_file" "$before/sysctl" | sort
  rm -f "$now_file"
}
