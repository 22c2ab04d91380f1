# shellcheck shell=bash
# shellcheck disable=SC2154,SC2034  # state, pki: set by init_paths (common.sh); the variables named to render are read by name
# Part of scripts/local-cluster.sh (sourced by it, see there): the configuration files and the cluster
# objects, rendered from the templates in templates/ (TEMPLATE.in, its placeholders @NAME@).

LOCAL_CLUSTER_TEMPLATES="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/templates"

# render TEMPLATE NAME...: templates/TEMPLATE with each placeholder @NAME@ replaced by the value of the
# shell variable NAME, to stdout. One pass, left to right: a value is copied as it is, never searched
# for placeholders or special characters (no envsubst, no sed). Fails on a placeholder not among the
# NAMEs, a NAME that is not set, and a NAME the template does not use.
render() {
  local template="$LOCAL_CLUSTER_TEMPLATES/$1" text="" out="" name key used=" "
  local re='@([A-Za-z_][A-Za-z0-9_]*)@'
  local -A values=()
  shift
  [ -f "$template" ] || die "render: no template $template"
  for name in "$@"; do
    [ -n "${!name+set}" ] || die "render $template: \$$name is not set"
    values[$name]="${!name}"
  done
  IFS= read -r -d '' text <"$template" || true   # the whole file, trailing newlines included
  while [[ "$text" =~ $re ]]; do
    key="${BASH_REMATCH[1]}"
    [ -n "${values[$key]+set}" ] || die "render $template: @$key@ is not among the variables given"
    out+="${text%%"${BASH_REMATCH[0]}"*}${values[$key]}"
    text="${text#*"${BASH_REMATCH[0]}"}"
    used+="$key "
  done
  for name in "$@"; do
    [[ "$used" == *" $name "* ]] || die "render $template: @$name@ is not in it"
  done
  printf '%s' "$out$text"
}

# write_kubeconfig FILE CERT_NAME: a kubeconfig for the API server with a client certificate.
write_kubeconfig() {
  local user="$2"
  render kubeconfig.yaml.in CONTEXT API_PORT pki user >"$1"
  chmod 600 "$1"
}

write_configs() {
  local real="$1"
  mkdir -p "$state/containerd" "$state/cni/net.d" "$state/cni/ipam" "$state/volumes" "$state/pod-logs"
  # containerd: everything under the state dir (root, state, sockets, runc's state, the opt plugin);
  # only the shims' sockets go to /run/containerd/s (fixed in containerd 1.6).
  render containerd.toml.in state SANDBOX_IMAGE >"$state/containerd/config.toml"
  # CNI: pods on the bridge, addresses from $POD_SUBNET ($GATEWAY excluded). isGateway false: the
  # plugin neither assigns the gateway address (this script does, before CoreDNS binds to it) nor
  # turns on IP forwarding; no routes: a pod reaches its subnet (other pods, DNS on $GATEWAY; kubelet
  # probes come from the host) and nothing else.
  render 10-kafka-demo.conflist.in BRIDGE state POD_SUBNET GATEWAY >"$state/cni/net.d/10-kafka-demo.conflist"
  # kubelet: cgroup v1 allowed (failCgroupV1), cgroupfs driver, no iptables chains, pod logs in the
  # state dir. It serves on the node IP (the API server connects there for logs and exec) with TLS,
  # clients must present a certificate of our CA or a token (webhook), and every request is
  # authorized by the API server (webhook): no anonymous access, no AlwaysAllow.
  : >"$state/resolv.conf"   # pods get the cluster DNS only, none of this machine's resolvers
  render kubelet-config.yaml.in state GATEWAY KUBELET_PORT KUBELET_HEALTHZ_PORT pki >"$state/kubelet-config.yaml"
  # kube-proxy, nftables mode: its rules live in tables of its own (ip kube-proxy, ip6 kube-proxy), apart
  # from any iptables rules of this machine, and `kube-proxy --cleanup` removes them by deleting those
  # two tables (iptables mode would add KUBE-* chains to the shared iptables-nft filter and nat tables
  # instead). NodePorts on the bridge's address only: nothing is opened on loopback (nftables mode has
  # no localhost NodePorts, so net.ipv4.conf.*.route_localnet stays as it is) or on this machine's
  # other interfaces. conntrack: every value 0, so kube-proxy sets no sysctl (by default it raises
  # nf_conntrack_max and the module's hashsize, and sets the TCP established and close-wait timeouts).
  # Health and metrics on loopback; no profiling.
  render kube-proxy.yaml.in pki NODE POD_SUBNET GATEWAY KUBE_PROXY_HEALTHZ_PORT KUBE_PROXY_METRICS_PORT \
    >"$state/kube-proxy.yaml"
  # CoreDNS: on the bridge address only, the cluster's names only (headless per-pod names, pod
  # addresses "pods insecure"), no forward plugin: nothing is asked of any other server.
  render Corefile.in GATEWAY COREDNS_READY_PORT pki CONTEXT >"$state/Corefile"
  if [ "$real" = no ]; then HELPER_IMAGE="kafka-demo.local/debian:bookworm"; else HELPER_IMAGE="$REAL_HELPER_IMAGE"; fi
}

# The cluster objects of our own: CoreDNS's read-only role, and the storage (a namespace for the
# provisioner's helper pods, its configuration, the default StorageClass). HELPER_IMAGE is set by
# write_configs.
cluster_objects() {
  render cluster-objects.yaml.in STORAGE_NAMESPACE state HELPER_IMAGE PROVISIONER_NAME
}
