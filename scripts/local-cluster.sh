#!/usr/bin/env bash
# A real single-node Kubernetes cluster on this machine, for running the stacks with real pods.
#
#   scripts/local-cluster.sh up [--real-images]   start it (idempotent); last line of stdout: export KUBECONFIG=...
#   scripts/local-cluster.sh build                build or fetch what `up` needs (cached), start nothing
#   scripts/local-cluster.sh status               components, node readiness; exit 0 up, 1 broken, 3 down
#   scripts/local-cluster.sh down                 stop it and undo every change it made to this machine
#
# What runs, all as host processes of root, all listening on loopback or on the pod bridge only:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler   the control plane (loopback)
#   containerd + runc, kubelet                                      the node "kafka-demo-node"
#   kube-proxy (nftables mode)               NodePorts on the bridge's address only (10.244.0.1:<nodePort>)
#   CoreDNS                                  cluster DNS on the bridge's address, cluster.local only, no upstream
#   local-path-provisioner                   dynamic hostPath volumes, StorageClass "standard" (default)
# Pods get addresses on the bridge kdcni0 (10.244.0.0/24) from the CNI bridge plugin. The stacks use
# headless Services (DNS answers with pod addresses). kube-proxy forwards Services in its own nftables
# tables (ip/ip6 kube-proxy): a NodePort answers on 10.244.0.1 only (nodePortAddresses), never on
# loopback or this machine's other interfaces, so a client on this machine reaches a pod through it
# (ClusterIPs get rules too; the stacks do not use them). kube-proxy changes no sysctl (its conntrack
# settings are all 0, see write_configs). Pods have no default route, and IP forwarding is not
# enabled, so nothing a pod sends can leave this machine.
#
# Images: docker.io/apache/kafka:<v> for both Kafka versions the stacks use (3.x from tools/kafka/pom.xml,
# with docker.io/library/zookeeper:<v>; 4.x, KRaft only, from tools/kafka/pom-kafka4.xml) are built
# offline (tools/images/build.sh: Debian + JRE + the Maven Central jars + the real-Kafka tier's stand-in
# scripts), as is the sandbox ("pause") image, and imported into containerd; pods use
# imagePullPolicy IfNotPresent, so nothing is pulled. With --real-images nothing is built or imported
# and containerd pulls the real images from their registries (needs internet).
#
# Environment:
#   KAFKA_DEMO_CACHE        build cache (Kubernetes, CoreDNS, provisioner, jars, images); default ~/.cache/kafka-demo
#   KAFKA_DEMO_CLUSTER_DIR  the cluster's state (certificates, etcd, containerd, volumes, logs, PIDs and
#                           the snapshots `down` restores from); default /var/tmp/kafka-demo-cluster
#
# Needs root, Linux (tested: Debian 12, cgroup v1 hybrid), Debian/Ubuntu apt for missing system packages, and Go 1.26+
# for the first build of the Kubernetes binaries, CoreDNS and the provisioner (cached afterwards).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cache="${KAFKA_DEMO_CACHE:-$HOME/.cache/kafka-demo}"
state="${KAFKA_DEMO_CLUSTER_DIR:-/var/tmp/kafka-demo-cluster}"
state="${state%/}"

# --- fixed names, addresses and ports ---------------------------------------------------------------
CONTEXT=kafka-demo-local                  # kubeconfig context (and cluster) name
NODE=kafka-demo-node                      # the node's name
BRIDGE=kdcni0                             # the pod bridge (the real-Kafka tier uses kdbr0, 10.213.77.0/24)
POD_SUBNET=10.244.0.0/24
GATEWAY=10.244.0.1                        # the bridge's address: node IP, kubelet, CoreDNS
SERVICE_RANGE=10.96.0.0/16                # ClusterIPs
ETCD_PORT=12379; ETCD_PEER_PORT=12380     # 127.0.0.1
API_PORT=16443                            # 127.0.0.1
KUBELET_PORT=10250                        # $GATEWAY, TLS, client certificate or token required
KUBELET_HEALTHZ_PORT=10248                # 127.0.0.1
KUBE_PROXY_HEALTHZ_PORT=10256             # 127.0.0.1 (kube-proxy's default port, loopback only)
KUBE_PROXY_METRICS_PORT=10249             # 127.0.0.1
COREDNS_READY_PORT=18181                  # 127.0.0.1
SANDBOX_IMAGE=registry.k8s.io/pause:3.10  # containerd's sandbox_image; built from tools/cluster/pause.c
REAL_HELPER_IMAGE=docker.io/library/busybox:1.37   # provisioner helper pods with --real-images
COREDNS_MODULE=github.com/coredns/coredns@v1.15.0
PROVISIONER_MODULE=github.com/rancher/local-path-provisioner@v0.0.30   # the one version the Go proxy serves
PROVISIONER_NAME=rancher.io/local-path
STORAGE_NAMESPACE=local-path-storage
# Start order; `down` stops them in reverse (the kubelet and containerd first, see cmd_down).
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy coredns local-path-provisioner)
# Host paths the components may create outside the state dir. Seen here: /var/lib/kubelet/device-plugins
# (the kubelet's device plugin socket, a fixed path), /var/log/containers (the kubelet's log links),
# /var/lib/cni (libcni's result cache), /run/containerd/s (shim sockets), /run/netns (pod network
# namespaces). The rest are defaults this script overrides, watched in case. `up` records which
# exist; `down` removes the others (a parent first: it takes its children along).
WATCHED_PATHS=(/var/lib/kubelet /var/lib/kubelet/device-plugins /var/log/pods /var/log/containers
  /var/lib/cni /var/lib/cni/results /run/containerd /run/netns /var/lib/containerd /opt/containerd /etc/cni
  /opt/cni /run/runc /run/kubernetes /etc/kubernetes /usr/libexec/kubernetes)
# sysctl keys that change on their own (counters, random values): never "restored".
VOLATILE_SYSCTLS='^(kernel\.random\.|kernel\.ns_last_pid|kernel\.pty\.nr|kernel\.perf_event_max_sample_rate|fs\.(dentry-state|file-nr|inode-nr|inode-state|aio-nr|quota\.)|net\.netfilter\.nf_conntrack_count)'

pki="$state/pki"
kubeconfig="$state/kubeconfig"   # the user's: admin, context $CONTEXT
before="$state/before"           # snapshots of the machine taken by `up` before it changed anything

log() { echo "local-cluster: $*" >&2; }
die() { echo "local-cluster: error: $*" >&2; exit 1; }
now() { date +%s; }

# --- processes -----------------------------------------------------------------------------------

# (In pipelines this script uses `grep ... >/dev/null`, not `grep -q`: with pipefail, grep -q exiting
# early can fail the pipeline through the writer's SIGPIPE.)

# The PID of a component if it is running. Every component's command line names the state dir, which
# guards against a recorded PID that has been reused by another process.
pid_of() {
  local file="$state/pids/$1" pid
  [ -f "$file" ] || return 1
  pid="$(cat "$file")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -F "$state/" >/dev/null \
    && echo "$pid"
}

# Start a component in its own session, detached from this script's stdin/stdout/stderr (a caller
# reading our stdout must not wait for the cluster), log to logs/<name>.log, record the PID.
spawn() {
  local name="$1"; shift
  log "starting $name"
  # A background setsid that is not a process group leader execs directly: $! is the component.
  setsid "$@" </dev/null >>"$state/logs/$name.log" 2>&1 &
  echo "$!" >"$state/pids/$name"
}

# Fail early with the log of any started component that has exited.
check_running() {
  local name
  for name in "${COMPONENTS[@]}"; do
    [ -f "$state/pids/$name" ] || continue
    if ! pid_of "$name" >/dev/null; then
      tail -n 25 "$state/logs/$name.log" >&2 || true
      die "$name exited (log: $state/logs/$name.log)"
    fi
  done
}

# wait_until SECONDS WHAT COMMAND...: poll COMMAND each second until it succeeds.
wait_until() {
  local timeout="$1" what="$2" deadline=$((SECONDS + $1))
  shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "timed out after ${timeout}s waiting for $what"
    check_running
    sleep 1
  done
}

# Whether a PID runs (an exited process that its parent has not reaped yet, a zombie, does not).
alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [ "${stat%% *}" != Z ]
}

# stop_pids SECONDS PID...: SIGTERM to all, up to SECONDS for them to exit, then SIGKILL the rest.
stop_pids() {
  local seconds="$1" pid i alive
  shift
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  for ((i = 0; i < seconds * 4; i++)); do
    alive=0
    for pid in "$@"; do alive "$pid" && alive=1; done
    [ "$alive" = 1 ] || return 0
    sleep 0.25
  done
  kill -KILL "$@" 2>/dev/null || true
  sleep 0.25
  return 0
}

# --- tools -----------------------------------------------------------------------------------------

# Install the Debian packages that provide missing commands (a fresh machine has none of them).
ensure_packages() {
  local real="$1" missing=() cmd
  local -A needs=([containerd]=containerd [ctr]=containerd [runc]=runc [etcd]=etcd-server [iptables]=iptables
    [openssl]=openssl [ip]=iproute2 [setsid]=util-linux [findmnt]=util-linux [python3]=python3 [sysctl]=procps
    [nft]=nftables)
  if [ "$real" = no ]; then
    needs+=([umoci]=umoci [debootstrap]=debootstrap [gcc]=gcc [java]=openjdk-17-jre-headless [mvn]=maven)
  fi
  for cmd in "${!needs[@]}"; do
    command -v "$cmd" >/dev/null || missing+=("${needs[$cmd]}")
  done
  [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/loopback ] \
    || missing+=(containernetworking-plugins)
  if [ "$real" = no ] && ! [ -f /usr/lib/x86_64-linux-gnu/libc.a ] && ! [ -f /usr/lib/aarch64-linux-gnu/libc.a ]; then
    missing+=(libc6-dev)   # the static pause binary
  fi
  [ ${#missing[@]} -gt 0 ] || return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get to install them"
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${missing[@]}" >&2
  # The package's own containerd service must not run beside ours (nothing to do without systemd).
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl disable --now containerd >/dev/null 2>&1 || true
  fi
}

# kubectl's discovery cache goes to the state dir, not ~/.kube.
kc() { "$KUBE_BIN/kubectl" --kubeconfig "$kubeconfig" --cache-dir "$state/kubectl-cache" "$@"; }
ctr_() { ctr --address "$state/containerd/containerd.sock" "$@"; }

# Values recorded by `up` for status and down: KUBE_BIN, MODE, IMAGES (space-separated).
load_env() {
  KUBE_BIN="" MODE="" IMAGES=""
  # shellcheck source=/dev/null
  [ -f "$state/cluster.env" ] && . "$state/cluster.env"
  return 0
}

# --- certificates and kubeconfigs ------------------------------------------------------------------

# issue NAME SUBJECT USAGE [SUBJECT_ALT_NAMES]: an EC key and a certificate signed by the cluster CA.
issue() {
  local name="$1" subject="$2" usage="$3" sans="${4:-}"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$pki/$name.key" 2>/dev/null
  openssl req -new -key "$pki/$name.key" -subj "$subject" -out "$pki/$name.csr"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [ -z "$sans" ] || echo "subjectAltName=$sans"
  } >"$pki/$name.ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 365 \
    -sha256 -extfile "$pki/$name.ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr" "$pki/$name.ext"
}

# write_kubeconfig FILE CERT_NAME: a kubeconfig for the API server with a client certificate.
write_kubeconfig() {
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: $CONTEXT
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $pki/ca.crt
users:
- name: $2
  user:
    client-certificate: $pki/$2.crt
    client-key: $pki/$2.key
contexts:
- name: $CONTEXT
  context:
    cluster: $CONTEXT
    user: $2
current-context: $CONTEXT
EOF
  chmod 600 "$1"
}

make_pki() {
  mkdir -p "$pki"
  chmod 700 "$pki"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$pki/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$pki/ca.key" -subj "/CN=kafka-demo-local-ca" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$pki/ca.crt"
  # Serving certificates: the API server (loopback and the in-cluster names) and the kubelet (node IP).
  issue apiserver "/CN=kube-apiserver" serverAuth \
    "IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  issue kubelet-serving "/CN=system:node:$NODE/O=system:nodes" serverAuth "IP:$GATEWAY,IP:127.0.0.1,DNS:$NODE"
  # Client certificates, one identity per component (RBAC's built-in roles know these names).
  issue admin "/CN=kafka-demo-admin/O=system:masters" clientAuth
  issue controller-manager "/CN=system:kube-controller-manager" clientAuth
  issue scheduler "/CN=system:kube-scheduler" clientAuth
  issue kubelet "/CN=system:node:$NODE/O=system:nodes" clientAuth           # Node authorizer + NodeRestriction
  issue apiserver-kubelet-client "/CN=kube-apiserver-kubelet-client/O=system:masters" clientAuth   # logs, exec
  issue coredns "/CN=kafka-demo:coredns" clientAuth                          # read-only role below
  issue kube-proxy "/CN=system:kube-proxy" clientAuth                         # system:node-proxier
  # Service account tokens.
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pki/sa.key" 2>/dev/null
  openssl pkey -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
  chmod 600 "$pki"/*.key
  write_kubeconfig "$kubeconfig" admin
  write_kubeconfig "$pki/controller-manager.kubeconfig" controller-manager
  write_kubeconfig "$pki/scheduler.kubeconfig" scheduler
  write_kubeconfig "$pki/kubelet.kubeconfig" kubelet
  write_kubeconfig "$pki/coredns.kubeconfig" coredns
  write_kubeconfig "$pki/kube-proxy.kubeconfig" kube-proxy
}

# --- configuration files ---------------------------------------------------------------------------

write_configs() {
  local real="$1"
  mkdir -p "$state/containerd" "$state/cni/net.d" "$state/cni/ipam" "$state/volumes" "$state/pod-logs"
  # containerd: everything under the state dir (root, state, sockets, runc's state, the opt plugin);
  # only the shims' sockets go to /run/containerd/s (fixed in containerd 1.6).
  cat >"$state/containerd/config.toml" <<EOF
version = 2
root = "$state/containerd/root"
state = "$state/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$state/containerd/containerd.sock"
[ttrpc]
  address = "$state/containerd/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$state/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$SANDBOX_IMAGE"
  # Root here lacks CAP_SYS_RESOURCE: runc may only raise oom_score_adj, never lower it below ours.
  restrict_oom_score_adj = true
  # exec/attach/port-forward streams: loopback only (the kubelet proxies them).
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_cdi = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$state/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$state/cni/net.d"
    max_conf_num = 1
EOF
  # CNI: pods on the bridge, addresses from $POD_SUBNET ($GATEWAY excluded). isGateway false: the
  # plugin neither assigns the gateway address (this script does, before CoreDNS binds to it) nor
  # turns on IP forwarding; no routes: a pod reaches its subnet (other pods, DNS on $GATEWAY; kubelet
  # probes come from the host) and nothing else.
  cat >"$state/cni/net.d/10-kafka-demo.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "kafka-demo",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$state/cni/ipam",
        "ranges": [[{"subnet": "$POD_SUBNET", "gateway": "$GATEWAY"}]]
      }
    }
  ]
}
EOF
  # kubelet: cgroup v1 allowed (failCgroupV1), cgroupfs driver, no iptables chains, pod logs in the
  # state dir. It serves on the node IP (the API server connects there for logs and exec) with TLS,
  # clients must present a certificate of our CA or a token (webhook), and every request is
  # authorized by the API server (webhook): no anonymous access, no AlwaysAllow.
  : >"$state/resolv.conf"   # pods get the cluster DNS only, none of this machine's resolvers
  cat >"$state/kubelet-config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$state/containerd/containerd.sock
address: $GATEWAY
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
tlsCertFile: $pki/kubelet-serving.crt
tlsPrivateKeyFile: $pki/kubelet-serving.key
rotateCertificates: false
serverTLSBootstrap: false
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: $pki/ca.crt
authorization:
  mode: Webhook
clusterDomain: cluster.local
clusterDNS: [$GATEWAY]
resolvConf: $state/resolv.conf
podLogsDir: $state/pod-logs
volumePluginDir: $state/kubelet-plugins/volume/exec
makeIPTablesUtilChains: false
failSwapOn: false
serializeImagePulls: false
maxPods: 50
evictionHard:
  memory.available: "100Mi"
  nodefs.available: "2%"
  imagefs.available: "2%"
imageGCHighThresholdPercent: 99
imageGCLowThresholdPercent: 98
EOF
  # kube-proxy, nftables mode: its rules live in tables of its own (ip kube-proxy, ip6 kube-proxy), apart
  # from any iptables rules of this machine, and `kube-proxy --cleanup` removes them by deleting those
  # two tables (iptables mode would add KUBE-* chains to the shared iptables-nft filter and nat tables
  # instead). NodePorts on the bridge's address only: nothing is opened on loopback (nftables mode has
  # no localhost NodePorts, so net.ipv4.conf.*.route_localnet stays as it is) or on this machine's
  # other interfaces. conntrack: every value 0, so kube-proxy sets no sysctl (by default it raises
  # nf_conntrack_max and the module's hashsize, and sets the TCP established and close-wait timeouts).
  # Health and metrics on loopback; no profiling.
  cat >"$state/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: nftables
clientConnection:
  kubeconfig: $pki/kube-proxy.kubeconfig
hostnameOverride: $NODE
clusterCIDR: $POD_SUBNET
nodePortAddresses: [$GATEWAY/32]
healthzBindAddress: 127.0.0.1:$KUBE_PROXY_HEALTHZ_PORT
metricsBindAddress: 127.0.0.1:$KUBE_PROXY_METRICS_PORT
enableProfiling: false
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
  tcpBeLiberal: false
  udpTimeout: 0s
  udpStreamTimeout: 0s
EOF
  # CoreDNS: on the bridge address only, the cluster's names only (headless per-pod names, pod
  # addresses "pods insecure"), no forward plugin: nothing is asked of any other server.
  cat >"$state/Corefile" <<EOF
.:53 {
    bind $GATEWAY
    errors
    ready 127.0.0.1:$COREDNS_READY_PORT
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig $pki/coredns.kubeconfig $CONTEXT
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    cache 5
}
EOF
  if [ "$real" = no ]; then HELPER_IMAGE="kafka-demo.local/debian:bookworm"; else HELPER_IMAGE="$REAL_HELPER_IMAGE"; fi
}

# The cluster objects of our own: CoreDNS's read-only role, and the storage (a namespace for the
# provisioner's helper pods, its configuration, the default StorageClass).
cluster_objects() {
  cat <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: kafka-demo:coredns
rules:
- apiGroups: [""]
  resources: [endpoints, services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: kafka-demo:coredns
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "kafka-demo:coredns"}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "kafka-demo:coredns"}
---
apiVersion: v1
kind: Namespace
metadata:
  name: $STORAGE_NAMESPACE
  labels:
    pod-security.kubernetes.io/enforce: privileged   # the helper pods mount a hostPath
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: local-path-provisioner
  namespace: $STORAGE_NAMESPACE
automountServiceAccountToken: false
---
# local-path-provisioner's configuration (as in its deploy/local-path-storage.yaml): volumes are
# directories under the state dir, created mode 0777 (the kubelet applies no fsGroup to hostPath,
# and the stacks run as uid 1000), removed when their PersistentVolume is deleted.
apiVersion: v1
kind: ConfigMap
metadata:
  name: local-path-config
  namespace: $STORAGE_NAMESPACE
data:
  config.json: |-
    {"nodePathMap": [{"node": "DEFAULT_PATH_FOR_NON_LISTED_NODES", "paths": ["$state/volumes"]}]}
  setup: |-
    #!/bin/sh
    set -eu
    mkdir -m 0777 -p "\$VOL_DIR"
  teardown: |-
    #!/bin/sh
    set -eu
    rm -rf "\$VOL_DIR"
  helperPod.yaml: |-
    apiVersion: v1
    kind: Pod
    metadata:
      name: helper-pod
    spec:
      priorityClassName: system-node-critical
      automountServiceAccountToken: false
      containers:
      - name: helper-pod
        image: $HELPER_IMAGE
        imagePullPolicy: IfNotPresent
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: $PROVISIONER_NAME
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Delete
EOF
}

# --- snapshots of the machine (taken by `up` before it changes anything) -------------------------

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

# --- up ------------------------------------------------------------------------------------------

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

report() { # what `up` prints at the end, also when the cluster was already up
  local image
  if [ "$MODE" = real ]; then
    log "images: pulled by containerd from their registries on first use (--real-images), e.g. docker.io/apache/kafka:<version>, docker.io/library/zookeeper:<version>, $SANDBOX_IMAGE, $REAL_HELPER_IMAGE"
  else
    log "images (built locally, imported into containerd; never pulled):"
    for image in $IMAGES; do log "  $image"; done
  fi
  log "node $NODE Ready; DNS $GATEWAY (cluster.local); NodePorts on $GATEWAY only (kube-proxy, nftables); default StorageClass standard; context $CONTEXT"
  log "logs and state: $state"
  echo "export KUBECONFIG=$kubeconfig"
}

# The tools and artifacts `up` needs, installed, built or fetched once and cached under $cache: sets
# KUBE_BIN, COREDNS, PROVISIONER, and IMAGES_TAR and IMAGES (empty with real images, "yes" as $1),
# and appends each step's time to the caller's `timings`.
build_artifacts() {
  local real="$1" t jars jars4
  ensure_packages "$real"
  mkdir -p "$cache"
  t=$(now); COREDNS="$("$repo/tools/cluster/build-go-binary.sh" "$cache" "$COREDNS_MODULE")"; timings+=("coredns $(( $(now) - t ))s")
  t=$(now); PROVISIONER="$("$repo/tools/cluster/build-go-binary.sh" "$cache" "$PROVISIONER_MODULE")"; timings+=("provisioner $(( $(now) - t ))s")
  IMAGES="" IMAGES_TAR=""
  if [ "$real" = no ]; then
    t=$(now)
    jars="$("$repo/tools/kafka/fetch.sh" "$cache")"                      # Kafka 3.x + ZooKeeper
    jars4="$("$repo/tools/kafka/fetch.sh" "$cache" pom-kafka4.xml)"      # Kafka 4.x (KRaft)
    timings+=("jars $(( $(now) - t ))s")
    t=$(now); IMAGES_TAR="$("$repo/tools/images/build.sh" "$cache" "$SANDBOX_IMAGE" "$jars" "$jars4")"; timings+=("images $(( $(now) - t ))s")
    IMAGES="$(tr '\n' ' ' <"${IMAGES_TAR%.tar}.names")"
  fi
  # Kubernetes last: the test command builds it in a lane of its own meanwhile (tools/kube/build.sh waits
  # for a build under way instead of starting a second).
  t=$(now); KUBE_BIN="$("$repo/tools/kube/build.sh" "$cache")"; timings+=("kubernetes $(( $(now) - t ))s")
}

# `build`: everything `up` would build or install (local images), without starting anything: the test
# command runs it in the background while the tiers that need no cluster run.
cmd_build() {
  [ "$(id -u)" = 0 ] || die "must run as root (Debian packages, the images' root filesystem)"
  local start timings=()
  start=$(now)
  build_artifacts no
  log "built in $(( $(now) - start ))s ($(printf '%s, ' "${timings[@]}" | sed 's/, $//'))"
}

cmd_up() {
  local real=no mode=local arg start t timings=()
  for arg in "$@"; do
    case "$arg" in
      --real-images) real=yes mode=real ;;
      *) die "unknown option $arg (usage: local-cluster.sh up [--real-images])" ;;
    esac
  done
  [ "$(id -u)" = 0 ] || die "must run as root (containers, mounts, cgroups, network)"
  UP_START=$(now)
  load_env
  if [ -f "$state/up.ok" ] && all_running; then
    # Already up: check its health (a moment of slowness is not a reason to tear it down) and print
    # the same result as the first time.
    [ "$MODE" = "$mode" ] || die "the cluster is up with $MODE images, not $mode ones: run 'down' first"
    local deadline=$((SECONDS + 60))
    until healthy; do
      ((SECONDS < deadline)) || die "the cluster runs but is not healthy (see 'status' and $state/logs); run 'down', then 'up'"
      sleep 2
    done
    log "already up (checked in $(( $(now) - UP_START ))s)"
    report
    return 0
  fi
  # Anything else of an earlier run (interrupted, failed, or a component died): clean it up first.
  if [ -e "$state" ] || ip link show "$BRIDGE" >/dev/null 2>&1 || [ -n "$(leftover_pids)" ] || proxy_tables >/dev/null; then
    log "leftovers of an earlier run: running 'down' first"
    do_down >&2
  fi

  # 1. Tools and artifacts (cached under $cache).
  build_artifacts "$real"

  # 2. The state dir and the snapshots `down` restores from.
  start=$(now)
  # On failure: say which command failed, and where the logs are.
  set -E
  trap 'log "failed: $BASH_COMMAND (line $LINENO)"' ERR
  # shellcheck disable=SC2154  # rc is assigned in the trap itself
  trap 'rc=$?; [ $rc = 0 ] || log "up failed after $(( $(now) - UP_START ))s; logs: $state/logs; the next up (or down) cleans up"' EXIT
  trap 'log "interrupted"; exit 130' INT TERM
  mkdir -p "$state/logs" "$state/pids"
  chmod 755 "$state"
  snapshot "$before"
  MODE="$mode"
  printf 'KUBE_BIN=%q\nMODE=%q\nIMAGES=%q\n' "$KUBE_BIN" "$MODE" "$IMAGES" >"$state/cluster.env"
  make_pki
  write_configs "$real"

  # 3. The pod bridge with its address, so that the kubelet and CoreDNS can bind to it (the CNI
  #    bridge plugin adopts an existing bridge).
  ip link add "$BRIDGE" type bridge
  ip addr add "$GATEWAY/${POD_SUBNET#*/}" dev "$BRIDGE"
  ip link set "$BRIDGE" up

  # 4. Control plane. The API server advertises loopback, so its own endpoint reconciler must be off
  #    (it refuses loopback endpoints); it reaches kubelets by InternalIP (logs, exec) with a client
  #    certificate, and checks theirs against our CA.
  spawn etcd etcd --name kafka-demo --data-dir "$state/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "kafka-demo=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync
  spawn kube-apiserver "$KUBE_BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" --client-ca-file "$pki/ca.crt" \
    --anonymous-auth=false --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --service-cluster-ip-range "$SERVICE_RANGE" --allow-privileged=true --profiling=false \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --endpoint-reconciler-type none --kubelet-preferred-address-types InternalIP,Hostname \
    --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "$pki/ca.crt"
  wait_until 120 "the API server" kc get --raw /readyz
  spawn kube-controller-manager "$KUBE_BIN/kube-controller-manager" --kubeconfig "$pki/controller-manager.kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port 0 --cluster-name kafka-demo \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" --use-service-account-credentials \
    --flex-volume-plugin-dir "$state/kubelet-plugins/volume/exec"
  spawn kube-scheduler "$KUBE_BIN/kube-scheduler" --kubeconfig "$pki/scheduler.kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port 0
  kc apply -f - >/dev/null < <(cluster_objects)

  # 5. Node: containerd (with the images), then the kubelet.
  spawn containerd containerd --config "$state/containerd/config.toml"
  wait_until 60 "containerd" ctr_ version
  if [ "$real" = no ]; then
    t=$(now)
    log "importing the images into containerd"
    ctr_ -n k8s.io images import "$IMAGES_TAR" >/dev/null
    timings+=("image import $(( $(now) - t ))s")
  fi
  spawn kubelet "$KUBE_BIN/kubelet" --config "$state/kubelet-config.yaml" --kubeconfig "$pki/kubelet.kubeconfig" \
    --root-dir "$state/kubelet" --cert-dir "$state/kubelet/pki" --hostname-override "$NODE" --node-ip "$GATEWAY" --v 1
  wait_until 120 "node $NODE to register" kc get node "$NODE"
  wait_until 180 "node $NODE to be Ready" kc wait --for condition=Ready "node/$NODE" --timeout 5s

  # 6. kube-proxy (it reads the node's address, 10.244.0.1, from the Node object): healthy once it has
  #    written its rules for the first time.
  t=$(now)
  spawn kube-proxy "$KUBE_BIN/kube-proxy" --config "$state/kube-proxy.yaml" --v 1
  wait_until 60 "kube-proxy to sync its rules" proxy_healthy
  timings+=("kube-proxy start $(( $(now) - t ))s")

  # 7. DNS and storage.
  spawn coredns "$COREDNS" -conf "$state/Corefile"
  wait_until 60 "CoreDNS to answer" python3 "$repo/tools/cluster/dns-query.py" "$GATEWAY" kubernetes.default.svc.cluster.local 2
  # The provisioner runs on the host with the admin identity: it is root here anyway (its helper
  # pods write host directories), so a narrower role would not confine it.
  spawn local-path-provisioner "$PROVISIONER" --debug start --kubeconfig "$kubeconfig" \
    --namespace "$STORAGE_NAMESPACE" --configmap-name local-path-config --provisioner-name "$PROVISIONER_NAME" \
    --helper-image "$HELPER_IMAGE" --service-account-name local-path-provisioner
  wait_until 30 "the default StorageClass" kc get storageclass standard
  wait_until 60 "everything to be healthy" healthy
  trap - EXIT ERR INT TERM
  set +E
  touch "$state/up.ok"
  timings+=("cluster start $(( $(now) - start ))s")
  log "up in $(( $(now) - UP_START ))s ($(printf '%s, ' "${timings[@]}" | sed 's/, $//'))"
  report
}

# --- status --------------------------------------------------------------------------------------

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

# --- down ----------------------------------------------------------------------------------------

# Processes of ours not (or no longer) recorded: binaries run from the state dir, and our kinds of
# binaries (components, containerd's shims by their -address) whose command line names the state dir.
# A binary in the cache is not enough: the kube test tier runs kube-apiserver from the same cache.
leftover_pids() {
  local dir pid exe
  for dir in /proc/[0-9]*; do
    pid="${dir#/proc/}"
    [ "$pid" = $$ ] && continue
    exe="$(readlink "$dir/exe" 2>/dev/null)" || continue
    if [[ "$exe" == "$state/"* ]]; then
      echo "$pid"
    elif [[ "${exe##*/}" =~ ^(etcd|containerd|containerd-shim.*|runc|kube-.*|kubelet|kubectl|coredns|local-path-provisioner)$ ]] \
      && tr '\0' ' ' <"$dir/cmdline" 2>/dev/null | grep -F "$state/" >/dev/null; then
      echo "$pid"
    fi
  done
}

# Undo the changes to this machine. Every step tolerates missing pieces (a failed or interrupted
# `up`, a second `down`). Prints what it removed (to stdout), one line each.
do_down() {
  local -   # set +e stays inside: each step runs whatever happened before it
  set +e
  local name pid ns i target link table key value line dir removed=0
  load_env
  say() { echo "  $*"; removed=$((removed + 1)); }
  local kubectl_ok=no
  if [ -x "${KUBE_BIN:-/nonexistent}/kubectl" ] && pid_of kube-apiserver >/dev/null && kc get --raw /readyz >/dev/null 2>&1; then
    kubectl_ok=yes
  fi

  # 1. While the kubelet still runs: delete the workloads, so that it unmounts their volumes and the
  #    CNI plugin removes their network, and so that the provisioner deletes their volumes.
  if [ "$kubectl_ok" = yes ] && pid_of kubelet >/dev/null; then
    local namespaces
    namespaces="$(kc get namespaces -o name 2>/dev/null | sed 's|^namespace/||' \
      | grep -vxE "default|kube-system|kube-public|kube-node-lease|$STORAGE_NAMESPACE" || true)"
    if [ -n "$namespaces" ]; then
      log "deleting namespaces: $(echo "$namespaces" | tr '\n' ' ')(bounded wait)"
      # shellcheck disable=SC2086
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

  # 2. The kubelet, then whatever containers remain (containerd's view, then runc's), then containerd.
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

  # 3. containerd, then the API server's clients together, the API server, etcd (the API server
  #    takes long to stop without etcd), then anything else of ours.
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

  # 4. Mounts: under the state dir (kubelet root dir and volumes, containerd's overlays and shm) and
  #    the pods' network namespaces; deepest first, a lazy unmount as the last resort.
  while IFS= read -r target; do
    umount "$target" 2>/dev/null || umount -l "$target" 2>/dev/null || true
    say "mount $target"
  done < <(our_mounts)

  # 5. Network: the pods' network namespaces, the veths on our bridge, the bridge.
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

  # 6. kube-proxy's rules (it leaves them in place when it stops): `kube-proxy --cleanup` deletes its
  #    nftables tables and any KUBE-* chains of its iptables and ipvs modes; checked after step 7.
  if [ -f "$state/pids/kube-proxy" ] || proxy_tables >/dev/null; then
    cleanup_proxy
  fi

  # 7. iptables: chains and rules that appeared since `up` (kubelet, CNI plugins) are removed, with
  #    iptables-restore --noflush so nothing else is touched; other differences are only reported.
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

  # 8. sysctls: every value that differs from before `up` is set back (the kubelet sets
  #    vm.overcommit_memory, vm.panic_on_oom, kernel.panic, kernel.panic_on_oops, kernel.keys.*).
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

  # 9. cgroups the kubelet and containerd created, in every hierarchy, deepest first (rmdir only).
  if [ -f "$before/cgroups" ]; then
    while IFS= read -r dir; do
      if rmdir "$dir" 2>/dev/null; then say "cgroup $dir"; else log "could not remove cgroup $dir"; fi
    done < <(new_cgroups | awk '{print length($0) " " $0}' | sort -rn | cut -d' ' -f2-)
  fi

  # 10. Paths outside the state dir that this run created (kubelet, CNI, containerd defaults).
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

  # 11. The state dir (certificates, etcd, containerd's images, volumes, logs, snapshots).
  if [ -e "$state" ]; then
    if findmnt -rn -o TARGET | grep "^$state/" >/dev/null; then
      log "still mounted under $state; leaving it in place:"
      findmnt -rn -o TARGET | grep "^$state/" >&2
    else
      rm -rf "$state" && say "state dir $state"
    fi
  fi
  [ "$removed" -gt 0 ] || echo "  nothing to remove"
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

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  build) shift; [ $# = 0 ] || die "build takes no options"; cmd_build ;;
  down) shift; [ $# = 0 ] || die "down takes no options"; cmd_down ;;
  status) shift; cmd_status ;;
  *) echo "usage: $(basename "$0") up [--real-images] | build | down | status" >&2; exit 2 ;;
esac
