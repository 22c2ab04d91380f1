# shellcheck shell=bash
# shellcheck disable=SC2154  # state, before: set by init_paths (common.sh)
# Part of scripts/local-cluster.sh (sourced by it, see there): kube-proxy's nftables tables and the
# iptables rules that appeared since `up` (kubelet, CNI plugins): finding them, removing them, checking.

# kube-proxy's nftables tables ("table ip kube-proxy", "table ip6 kube-proxy"), one a line; fails if none.
proxy_tables() {
  command -v nft >/dev/null || return 1
  nft list tables 2>/dev/null | grep -E '^table (ip|ip6|inet) kube-proxy$'
}

# `kube-proxy --cleanup` with this run's configuration: it deletes its nftables tables (both families)
# and the KUBE-* chains its iptables and ipvs modes would have made. Without the binary (an `up`
# interrupted early) or if it fails, its tables are deleted with nft, as its cleanup does.
cleanup_proxy() {
  local config=() output family
  if [ -n "${KUBE_BIN:-}" ] && [ -x "$KUBE_BIN/kube-proxy" ]; then
    [ -f "$state/kube-proxy.yaml" ] && config=(--config "$state/kube-proxy.yaml")
    if output="$("$KUBE_BIN/kube-proxy" --cleanup "${config[@]}" 2>&1)"; then
      say "kube-proxy rules (kube-proxy --cleanup)"
    else
      log "kube-proxy --cleanup failed: $(tail -n 5 <<<"$output" | tr '\n' ' ')"
    fi
  fi
  for family in $(proxy_tables | cut -d' ' -f2); do
    nft delete table "$family" kube-proxy && say "nftables table $family kube-proxy"
  done
}

# After the cleanup and the iptables restore: no kube-proxy table and no KUBE-* chain that was not
# there before `up` may remain.
check_proxy_cleanup() {
  local left="" tool
  left="$(proxy_tables | tr '\n' ' ')"
  for tool in iptables ip6tables; do
    command -v "$tool-save" >/dev/null && [ -f "$before/$tool" ] || continue
    left+="$(iptables_dump "$tool-save" | grep -E '^:KUBE-' | grep -vxF -f <(cat "$before/$tool"; echo '#none#') \
      | sed "s/^:\([^ ]*\).*/$tool \1 /" | tr -d '\n')"
  done
  if [ -n "$left" ]; then
    log "kube-proxy's rules are not all gone: $left"
  else
    log "checked: no kube-proxy nftables table and no new KUBE-* chain left"
  fi
}

restore_iptables() {
  local tool="$1" now_file script table chain rule
  command -v "$tool-save" >/dev/null || return 0
  now_file="$(mktemp)"
  script="$(mktemp)"
  iptables_dump "$tool-save" >"$now_file"
  if ! diff -q "$before/$tool" "$now_file" >/dev/null; then
    for table in $(grep '^\*' "$now_file" | tr -d '*'); do
      # chains (":NAME POLICY") and rules ("-A ...") of this table, now and before
      local now_t before_t
      now_t="$(sed -n "/^\*$table\$/,/^COMMIT/p" "$now_file")"
      before_t="$(sed -n "/^\*$table\$/,/^COMMIT/p" "$before/$tool")"
      local chains rules
      # user-defined chains only (":NAME - ..."; built-in ones have a policy instead of "-")
      chains="$(comm -23 <(grep '^:[^ ]* -' <<<"$now_t" | cut -d' ' -f1 | tr -d ':' | sort) \
                         <(grep '^:[^ ]* -' <<<"$before_t" | cut -d' ' -f1 | tr -d ':' | sort))"
      rules="$(grep -- '^-A ' <<<"$now_t" | grep -vxF -f <(grep -- '^-A ' <<<"$before_t"; echo '#none#') || true)"
      [ -n "$chains$rules" ] || continue
      {
        echo "*$table"
        while IFS= read -r rule; do   # new rules in chains that stay: delete them one by one
          [ -n "$rule" ] || continue
          chain="$(cut -d' ' -f2 <<<"$rule")"
          grep -qxF "$chain" <<<"$chains" || echo "-D ${rule#-A }"
        done <<<"$rules"
        for chain in $chains; do echo "-F $chain"; done
        for chain in $chains; do echo "-X $chain"; done
        echo COMMIT
      } >"$script"
      if "$tool-restore" --noflush <"$script"; then
        for chain in $chains; do say "$tool $table chain $chain"; done
        while IFS= read -r rule; do [ -z "$rule" ] || say "$tool $table rule: $rule"; done <<<"$rules"
      else
        log "could not remove the new $tool rules of table $table: $(tr '\n' ';' <"$script")"
      fi
    done
    iptables_dump "$tool-save" | diff -q "$before/$tool" - >/dev/null \
      || log "note: $tool rules still differ from before 'up' (rules removed meanwhile are not re-added)"
  fi
  rm -f "$now_file" "$script"
}
