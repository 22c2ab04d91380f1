# shellcheck shell=bash
# shellcheck disable=SC2154,SC2034  # cache: set by init_paths (common.sh), repo by local-cluster.sh; KUBE_BIN, COREDNS, PROVISIONER, IMAGES(_TAR): used by up.sh
# Part of scripts/local-cluster.sh (sourced by it, see there): the Debian packages, tools and artifacts
# `up` needs (installed, built or fetched once, cached), and the `build` command.

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

# The tools and artifacts `up` needs, installed, built or fetched once and cached under $cache: sets
# KUBE_BIN, COREDNS, PROVISIONER, and IMAGES_TAR and IMAGES (empty with real images, "yes" as $1),
# and appends each step's time to the caller's `timings`.
build_artifacts() {
  local real="$1" t jars jars4
  ensure_packages "$real"
  mkdir -p "$cache"
  t=$(now); COREDNS="$("$repo/tools/cluster/coredns/build.sh" "$cache")"; timings+=("coredns $(( $(now) - t ))s")
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
