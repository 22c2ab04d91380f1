#!/usr/bin/env bash
# Build the local cluster's container images offline and print the path of an OCI archive holding them:
#   build.sh CACHE_DIR SANDBOX_IMAGE JAR_DIR [JAR_DIR...]
#
#   docker.io/apache/kafka:<kafka version>      base + /opt/kafka/{bin,libs,config} and the image's class data
#                                                sharing archives (storage.jsa, kafka.jsa), user 1000; one per JAR_DIR
#   docker.io/library/zookeeper:<zk version>     base + /apache-zookeeper-<zk version>-bin/{bin,lib}, zkServer.sh on
#                                                PATH, from the first JAR_DIR
#   SANDBOX_IMAGE (e.g. registry.k8s.io/pause)   one static binary, /pause (tools/cluster/pause.c)
#   kafka-demo.local/debian:bookworm             the base alone (root): helper pods, debugging
#
# The base is a Debian bookworm minbase root filesystem with openjdk-17-jre-headless, made by debootstrap
# from this machine's configured apt mirror, plus user/group appuser (uid/gid 1000, as in apache/kafka).
# Each JAR_DIR is a folder of tools/kafka/fetch.sh: the first (pom.xml) has Kafka 3.x and ZooKeeper, each
# further one (e.g. pom-kafka4.xml) another Kafka version. The versions come from the jar names; each
# Kafka image's bin/ scripts are the stand-ins the real-Kafka test tier uses (tools/images/stand_ins.py),
# made from that image's own jars, with the jars at the images' paths. All images but the sandbox share
# the base's layer and add one layer of their own.
#
# Cached under CACHE_DIR:
#   rootfs-bookworm-java17-<key>.tar   the debootstrap'd base root filesystem (key: the base recipe below)
#   images-<key>.tar                   the OCI archive (key: every jar folder's name, in order (fetch.sh
#                                      names them by their pom's content), sandbox image name, this
#                                      script, stand_ins.py, pause.c, the base's key)
#   images-<key>.names                 the image names in it, one per line
# A warm run prints the archive path at once. Work directories are deleted; only the two .tar remain
# (archives of other inputs are deleted when a new one is built).
# Needs root (debootstrap, chroot, namespaces, file ownership in the layers), debootstrap, umoci, gcc, python3,
# unshare and ip.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
usage="usage: build.sh CACHE_DIR SANDBOX_IMAGE JAR_DIR [JAR_DIR...]"
cache="${1:?$usage}"
sandbox_image="${2:?$usage}"
shift 2
jar_dirs=("$@")
[ ${#jar_dirs[@]} -gt 0 ] || { echo "$usage" >&2; exit 2; }
base_image="kafka-demo.local/debian:bookworm"

log() { echo "images: $*" >&2; }
die() { echo "images: $*" >&2; exit 1; }
for tool in debootstrap umoci gcc python3 sha256sum chroot unshare ip; do
  command -v "$tool" >/dev/null || die "$tool is required"
done

# Versions from the jar names, e.g. kafka_2.13-3.9.1.jar, zookeeper-3.9.4.jar; kafka_images[i] is the
# image of jar_dirs[i].
kafka_images=()
for jars in "${jar_dirs[@]}"; do
  [ -d "$jars" ] || die "no jar folder $jars"
  kafka_jar="$(find "$jars" -maxdepth 1 -name 'kafka_2.13-*.jar' ! -name '*-test*' -printf '%f\n' | sort | head -n1)"
  [ -n "$kafka_jar" ] || die "no kafka_2.13-*.jar in $jars"
  kafka_version="${kafka_jar#kafka_2.13-}"; kafka_version="${kafka_version%.jar}"
  for image in "${kafka_images[@]}"; do
    [ "$image" != "docker.io/apache/kafka:$kafka_version" ] || die "two jar folders with Kafka $kafka_version"
  done
  kafka_images+=("docker.io/apache/kafka:$kafka_version")
done
zk_jars="${jar_dirs[0]}"
zk_jar="$(find "$zk_jars" -maxdepth 1 -regex '.*/zookeeper-[0-9.]*\.jar' -printf '%f\n' | sort | head -n1)"
[ -n "$zk_jar" ] || die "no zookeeper-*.jar in $zk_jars (the first jar folder)"
zk_version="${zk_jar#zookeeper-}"; zk_version="${zk_version%.jar}"
zk_image="docker.io/library/zookeeper:$zk_version"
zk_home="/apache-zookeeper-$zk_version-bin"   # where the zookeeper image keeps ZooKeeper
path_tail="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# --- the base root filesystem (cached) ------------------------------------------------------------
suite=bookworm
packages=openjdk-17-jre-headless
base_recipe="$suite minbase $packages appuser:1000 v1"   # change to rebuild the base
base_key="$(printf '%s' "$base_recipe" | sha256sum | cut -c1-12)"
base_tar="$cache/rootfs-$suite-java17-$base_key.tar"

mirror() { # the first Debian mirror this machine's apt uses (one-line or deb822 sources)
  local files=() file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] && files+=("$file")
  done
  [ ${#files[@]} -gt 0 ] || return 0
  awk '/^deb / {print $2; exit} /^URIs:/ {print $2; exit}' "${files[@]}"
}

if [ ! -f "$base_tar" ]; then
  url="$(mirror)"
  [ -n "$url" ] || die "no apt mirror found in /etc/apt/sources.list*"
  work="$(mktemp -d "$cache/.rootfs.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  log "debootstrap $suite (minbase + $packages) from $url"
  start=$(date +%s)
  debootstrap --variant=minbase --include="$packages" "$suite" "$work/rootfs" "$url" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
  # As in the upstream images: appuser, uid/gid 1000, no home directory (the root filesystem is read-only).
  chroot "$work/rootfs" groupadd -g 1000 appuser
  chroot "$work/rootfs" useradd -u 1000 -g 1000 -M -d /home/appuser -s /bin/bash appuser
  # What an image does not need: downloaded packages, package lists, docs, man pages, translations.
  rm -rf "$work/rootfs"/var/cache/apt/archives/*.deb "$work/rootfs"/var/lib/apt/lists/* \
    "$work/rootfs"/usr/share/doc "$work/rootfs"/usr/share/man "$work/rootfs"/usr/share/locale
  tar --numeric-owner -C "$work/rootfs" -cf "$base_tar.tmp" .
  mv "$base_tar.tmp" "$base_tar"
  find "$cache" -maxdepth 1 -name 'rootfs-*.tar' ! -name "$(basename "$base_tar")" -delete   # earlier recipes
  rm -rf "$work"
  trap - EXIT
  log "base root filesystem in $(( $(date +%s) - start ))s: $base_tar ($(du -h "$base_tar" | cut -f1))"
fi

# --- the images (cached) -------------------------------------------------------------------------
key="$( { for jars in "${jar_dirs[@]}"; do basename "$jars"; done
          echo "$sandbox_image $(basename "$base_tar")"
          cat "$here/build.sh" "$here/stand_ins.py" "$here/cds-archives.sh" "$repo/tools/cluster/pause.c"; } | sha256sum | cut -c1-16)"
out="$cache/images-$key.tar"
names="$cache/images-$key.names"
if [ -f "$out" ] && [ -f "$names" ]; then
  echo "$out"
  exit 0
fi

start=$(date +%s)
work="$(mktemp -d "$cache/.images.XXXXXX")"
trap 'rm -rf "$work"' EXIT
oci="$work/oci"
umoci init --layout "$oci"

# Base: the cached root filesystem as one layer. Root user (helper pods create host directories).
umoci new --image "$oci:base"
umoci unpack --image "$oci:base" "$work/bundle"
tar --numeric-owner -C "$work/bundle/rootfs" -xf "$base_tar"
umoci repack --image "$oci:base" "$work/bundle"
rm -rf "$work/bundle"
umoci config --image "$oci:base" --tag "$base_image" --config.env "PATH=$path_tail" --config.cmd /bin/bash
log "base layer: $(( $(date +%s) - start ))s"

# Kafka, one image per jar folder: base + /opt/kafka with the stand-ins made from that folder's jars
# (the same scripts the real-Kafka tier binds), run as appuser.
for i in "${!jar_dirs[@]}"; do
  umoci unpack --image "$oci:base" "$work/bundle"
  python3 "$here/stand_ins.py" --jars "${jar_dirs[$i]}" --kafka-home "$work/bundle/rootfs/opt/kafka" \
    --kafka-path /opt/kafka
  cp "${jar_dirs[$i]}"/*.jar "$work/bundle/rootfs/opt/kafka/libs/"
  # Whole-second times: a layer keeps only seconds, and an archive is used only with jars whose time and size
  # are what it recorded (else the JVM says "A jar file is not the one used while building the shared archive").
  touch -d "@$(date +%s)" "$work/bundle/rootfs/opt/kafka/libs/"*.jar
  # The class data sharing archives the real image ships (/opt/kafka/storage.jsa, kafka.jsa), made as its
  # build makes them, by the image's own JVM in the image's root filesystem: a private mount, PID and
  # network namespace (its /proc, the host's /dev bound in, a loopback of its own), gone when it ends.
  t=$(date +%s)
  install -D -m 0755 "$here/cds-archives.sh" "$work/bundle/rootfs/tmp/cds/cds-archives.sh"
  # shellcheck disable=SC2016  # $1 is the inner bash's own argument (the root filesystem)
  unshare --mount --pid --net --fork --mount-proc="$work/bundle/rootfs/proc" bash -c \
    'ip link set lo up && mount --rbind /dev "$1/dev" && chroot "$1" bash /tmp/cds/cds-archives.sh /opt/kafka /tmp/cds/work' \
    cds "$work/bundle/rootfs" >&2 || die "the class data sharing archives of ${kafka_images[$i]} failed"
  rm -rf "$work/bundle/rootfs/tmp/cds"
  log "${kafka_images[$i]}: class data sharing archives in $(( $(date +%s) - t ))s"
  umoci repack --image "$oci:kafka" "$work/bundle"
  rm -rf "$work/bundle"
  umoci config --image "$oci:kafka" --tag "${kafka_images[$i]}" --config.user 1000:1000 --config.workingdir /opt/kafka \
    --config.env "PATH=/opt/kafka/bin:$path_tail" \
    --config.cmd /opt/kafka/bin/kafka-server-start.sh --config.cmd /opt/kafka/config/server.properties
  umoci rm --image "$oci:kafka"
done

# ZooKeeper: base + /apache-zookeeper-<version>-bin with bin/ on PATH (the rendered start script calls
# plain `zkServer.sh start-foreground <cfg>`), run as uid 1000; the jars of the first folder.
umoci unpack --image "$oci:base" "$work/bundle"
python3 "$here/stand_ins.py" --zookeeper-home "$work/bundle/rootfs$zk_home" --zookeeper-path "$zk_home"
cp "$zk_jars"/*.jar "$work/bundle/rootfs$zk_home/lib/"
umoci repack --image "$oci:zookeeper" "$work/bundle"
rm -rf "$work/bundle"
umoci config --image "$oci:zookeeper" --tag "$zk_image" --config.user 1000:1000 --config.workingdir "$zk_home" \
  --config.env "PATH=$zk_home/bin:$path_tail" --config.cmd zkServer.sh --config.cmd start-foreground
umoci rm --image "$oci:zookeeper"
umoci rm --image "$oci:base"

# Sandbox: only /pause, static, as the upstream pause image (uid 65535).
gcc -static -Os -s -Wall -Wextra -o "$work/pause" "$repo/tools/cluster/pause.c"
umoci new --image "$oci:sandbox"
umoci unpack --image "$oci:sandbox" "$work/bundle"
install -m 0755 "$work/pause" "$work/bundle/rootfs/pause"
umoci repack --image "$oci:sandbox" "$work/bundle"
rm -rf "$work/bundle"
umoci config --image "$oci:sandbox" --tag "$sandbox_image" --config.user 65535:65535 --config.entrypoint /pause
umoci rm --image "$oci:sandbox"
umoci gc --layout "$oci"

# umoci records each name as the OCI ref.name; containerd's importer takes the full image name from
# its own annotation (without it `ctr image import` would not know the repository).
python3 - "$oci/index.json" <<'PY'
import json, sys
path = sys.argv[1]
index = json.load(open(path))
for manifest in index["manifests"]:
    annotations = manifest.setdefault("annotations", {})
    annotations["io.containerd.image.name"] = annotations["org.opencontainers.image.ref.name"]
json.dump(index, open(path, "w"))
PY
tar -C "$oci" -cf "$out.tmp" .
printf '%s\n' "${kafka_images[@]}" "$zk_image" "$sandbox_image" "$base_image" > "$names"
mv "$out.tmp" "$out"
rm -rf "$work"
trap - EXIT
# Archives of earlier inputs are not used again (each is rebuilt from the cache in about a minute).
find "$cache" -maxdepth 1 \( -name 'images-*.tar' -o -name 'images-*.names' \) ! -name "images-$key.*" -delete
log "images built in $(( $(date +%s) - start ))s: $out ($(du -h "$out" | cut -f1))"
echo "$out"
