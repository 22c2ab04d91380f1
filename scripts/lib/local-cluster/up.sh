# shellcheck shell=bash
# shellcheck disable=SC2154,SC2153  # state, pki, kubeconfig, before, cache: set by init_paths (common.sh), repo by local-cluster.sh; NODE: a constant in common.sh
# Part of scripts/local-cluster.sh (sourced by it, see there): the `up` command, and what it prints at
# the end (its last line, `export KUBECONFIG=...`, is what callers eval).

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
