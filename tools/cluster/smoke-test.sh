#!/usr/bin/env bash
# Check a running local cluster (scripts/local-cluster.sh up) end to end, the way the stacks use it:
#   tools/cluster/smoke-test.sh [KUBECTL]       (KUBECONFIG from the environment, as `up` prints it)
#
# In a namespace that enforces Pod Security "restricted":
# - a StatefulSet of docker.io/apache/kafka:<version> behind a headless Service, as uid 1000 with
#   fsGroup 1000 and a read-only root filesystem, with a volumeClaimTemplate of the default
#   StorageClass: the pod gets Ready, its PVC binds, it writes to the volume, `kubectl logs` and
#   `kubectl exec` work, the image's (stand-in) Kafka scripts run;
# - a StatefulSet of docker.io/library/zookeeper:<version> that never gets Ready, behind a headless
#   Service with publishNotReadyAddresses;
# - a pod of the Debian base image resolves both per-pod names (<pod>.<svc>.<ns>.svc.cluster.local);
# then deletes the namespace and checks that the PersistentVolume and its directory are gone.
# Exit 0 when every check passed. Prints each check to stderr.
set -euo pipefail
kubectl="${1:-kubectl}"
: "${KUBECONFIG:?set KUBECONFIG (the last line of scripts/local-cluster.sh up)}"
ns=kd-smoke
kafka_image="${KAFKA_IMAGE:-docker.io/apache/kafka:3.9.1}"
zk_image="${ZOOKEEPER_IMAGE:-docker.io/library/zookeeper:3.9.4}"
debian_image="${DEBIAN_IMAGE:-kafka-demo.local/debian:bookworm}"
cache_dir="$(mktemp -d)"   # kubectl's discovery cache: not in ~/.kube
trap 'rm -rf "$cache_dir"' EXIT
k() { "$kubectl" --cache-dir "$cache_dir" "$@"; }
ok() { echo "ok: $*" >&2; }
fail() { echo "FAILED: $*" >&2; k get pods,pvc,pv -n "$ns" -o wide >&2 || true; exit 1; }
start=$(date +%s)

k delete namespace "$ns" --ignore-not-found --wait=true >/dev/null
# What Pod Security "restricted" requires, as the stacks set it: indent N (pod spec / container).
restricted_pod() { sed "s/^/$(printf '%*s' "$1" '')/" <<'YAML'
securityContext:
  runAsNonRoot: true
  runAsUser: 1000
  runAsGroup: 1000
  fsGroup: 1000
  seccompProfile: {type: RuntimeDefault}
enableServiceLinks: false
YAML
}
restricted_container() { sed "s/^/$(printf '%*s' "$1" '')/" <<'YAML'
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities: {drop: [ALL]}
YAML
}
k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $ns
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/warn: restricted
---
apiVersion: v1
kind: Service
metadata: {name: kafka, namespace: $ns}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector: {app: kafka}
  ports: [{name: broker, port: 9092}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: kafka, namespace: $ns}
spec:
  serviceName: kafka
  replicas: 1
  selector: {matchLabels: {app: kafka}}
  template:
    metadata: {labels: {app: kafka}}
    spec:
$(restricted_pod 6)
      containers:
        - name: kafka
          image: $kafka_image
          imagePullPolicy: IfNotPresent
          command: [bash, -c, 'echo hi > /data/x; echo "wrote /data/x as \$(id -u)"; while true; do sleep 5; done']
          readinessProbe:
            exec: {command: [test, -f, /data/x]}
            periodSeconds: 2
$(restricted_container 10)
          volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Service
metadata: {name: zookeeper, namespace: $ns}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector: {app: zookeeper}
  ports: [{name: client, port: 2181}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: zookeeper, namespace: $ns}
spec:
  serviceName: zookeeper
  replicas: 1
  selector: {matchLabels: {app: zookeeper}}
  template:
    metadata: {labels: {app: zookeeper}}
    spec:
$(restricted_pod 6)
      containers:
        - name: zookeeper
          image: $zk_image
          imagePullPolicy: IfNotPresent
          command: [bash, -c, 'while true; do sleep 5; done']
          readinessProbe:   # never Ready: its name must resolve all the same
            exec: {command: ["false"]}
            periodSeconds: 5
$(restricted_container 10)
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: $ns}
spec:
$(restricted_pod 2)
  containers:
    - name: client
      image: $debian_image
      imagePullPolicy: IfNotPresent
      command: [sleep, infinity]
$(restricted_container 6)
EOF
ok "objects created in namespace $ns (Pod Security: restricted, enforced)"

k -n "$ns" wait --for condition=Ready pod/kafka-0 pod/client --timeout 180s >/dev/null || fail "pods not Ready"
ok "pods kafka-0 and client Ready ($(( $(date +%s) - start ))s)"
[ "$(k -n "$ns" get pvc data-kafka-0 -o jsonpath='{.status.phase}')" = Bound ] || fail "PVC not Bound"
pv="$(k -n "$ns" get pvc data-kafka-0 -o jsonpath='{.spec.volumeName}')"
dir="$(k get pv "$pv" -o jsonpath='{.spec.hostPath.path}{.spec.local.path}')"
ok "PVC data-kafka-0 Bound to $pv (class $(k get pv "$pv" -o jsonpath='{.spec.storageClassName}'), reclaim $(k get pv "$pv" -o jsonpath='{.spec.persistentVolumeReclaimPolicy}'), $dir)"
[ "$(cat "$dir/x")" = hi ] || fail "the file written by the pod is not in $dir"
ok "the pod (uid 1000) wrote $dir/x"
k -n "$ns" logs kafka-0 | grep "wrote /data/x as 1000" >/dev/null || fail "kubectl logs"
ok "kubectl logs: $(k -n "$ns" logs kafka-0)"
[ "$(k -n "$ns" exec kafka-0 -- cat /data/x)" = hi ] || fail "kubectl exec"
ok "kubectl exec: read /data/x back"
if k -n "$ns" exec kafka-0 -- touch /opt/kafka/x 2>/dev/null; then fail "the root filesystem is writable"; fi
ok "root filesystem read-only"
version="$(k -n "$ns" exec kafka-0 -- kafka-topics.sh --version 2>/dev/null)" || fail "kafka-topics.sh --version"
ok "kafka-topics.sh --version in the image: $version"
for _ in $(seq 60); do
  [ "$(k -n "$ns" get pod zookeeper-0 -o jsonpath='{.status.podIP}' 2>/dev/null)" != "" ] && break
  sleep 1
done
zk_ip="$(k -n "$ns" get pod zookeeper-0 -o jsonpath='{.status.podIP}')"
[ -n "$zk_ip" ] || fail "zookeeper-0 has no address"
k -n "$ns" exec zookeeper-0 -- bash -c 'command -v zkServer.sh' >/dev/null || fail "zkServer.sh not on PATH in $zk_image"
ok "zookeeper-0 running, not Ready ($(k -n "$ns" get pod zookeeper-0 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')), zkServer.sh on PATH"
kafka_ip="$(k -n "$ns" get pod kafka-0 -o jsonpath='{.status.podIP}')"
for name in kafka-0.kafka zookeeper-0.zookeeper; do
  fqdn="$name.$ns.svc.cluster.local"
  answer=""
  for _ in $(seq 30); do   # the EndpointSlice may trail the pod by a moment
    answer="$(k -n "$ns" exec client -- getent hosts "$fqdn" 2>/dev/null | awk '{print $1}')" && [ -n "$answer" ] && break
    sleep 1
  done
  [ -n "$answer" ] || fail "$fqdn does not resolve from the client pod"
  ok "getent hosts $fqdn (from pod client) -> $answer"
done
[ "$(k -n "$ns" exec client -- getent hosts "kafka-0.kafka.$ns.svc.cluster.local" | awk '{print $1}')" = "$kafka_ip" ] \
  || fail "kafka-0's name does not resolve to its address $kafka_ip"
[ "$(k -n "$ns" exec client -- getent hosts "zookeeper-0.zookeeper.$ns.svc.cluster.local" | awk '{print $1}')" = "$zk_ip" ] \
  || fail "zookeeper-0's name does not resolve to its address $zk_ip"
if k -n "$ns" exec client -- getent hosts deb.debian.org >/dev/null 2>&1; then fail "an outside name resolved"; fi
ok "names outside cluster.local do not resolve (no upstream)"
# /proc/net/route: destination 00000000 is the default route.
routes="$(k -n "$ns" exec client -- cat /proc/net/route | awk 'NR > 1 {print $1, $2}')"
if awk '$2 == "00000000"' <<<"$routes" | grep . >/dev/null; then fail "the client pod has a default route: $routes"; fi
ok "pods have no default route (routes: $(tr '\n' ';' <<<"$routes"))"

t=$(date +%s)
k delete namespace "$ns" --wait=true --timeout 180s >/dev/null || fail "namespace deletion"
for _ in $(seq 60); do
  k get pv "$pv" >/dev/null 2>&1 || break
  sleep 1
done
if k get pv "$pv" >/dev/null 2>&1; then fail "PV $pv still exists"; fi
[ ! -e "$dir" ] || fail "$dir still exists after its PV was deleted"
ok "namespace deleted in $(( $(date +%s) - t ))s; PV $pv and $dir are gone"
echo "smoke test passed in $(( $(date +%s) - start ))s" >&2
