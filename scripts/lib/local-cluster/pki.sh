# shellcheck shell=bash
# shellcheck disable=SC2154  # pki, kubeconfig: set by init_paths (common.sh)
# Part of scripts/local-cluster.sh (sourced by it, see there): the cluster's CA, the components'
# certificates and keys, and their kubeconfigs (write_kubeconfig, in configs.sh).

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
