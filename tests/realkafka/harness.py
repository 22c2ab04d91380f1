"""Run a rendered stack's pods as local processes, each with its own pod identity.

For every pod the harness reads the rendered manifests (no parallel configuration of its own):
the container's command and env, its volumeMounts (ConfigMaps written out as files, emptyDirs, and one
directory per PVC that survives pod restarts). Each pod runs in

- its own network namespace with its own address on a test bridge, and an /etc/hosts (via
  /etc/netns/<ns>/hosts) that resolves every pod's `<pod>.<svc>.<ns>.svc.<domain>` name;
- its own mount namespace, where the volumes are bind-mounted at the container paths and the root
  filesystem is read-only (as `readOnlyRootFilesystem: true` makes it);
- its own UTS namespace (hostname = pod name), as uid/gid 1000 like the pod's securityContext.

Stand-ins exist only for what the images provide: `/opt/kafka/bin/*.sh` of apache/kafka and
`zkServer.sh` of the zookeeper image become `java -cp <jars> <the same main class>`.
Needs root (namespaces, mounts). Everything is torn down at the end, also after a failure.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.kafka.image import KAFKA_IMAGE_REPOSITORY
from components.shell import LIB, script_text
from components.zookeeper.keys import DEFAULT_ZOOKEEPER_IMAGE
from tools.images import stand_ins

SUBNET = "10.213.77"  # this test's own hosts, inside network namespaces it creates
BRIDGE = "kdbr0"
NS_PREFIX = "kd-"
RUN_AS = "1000"

KAFKA_IMAGE_MOUNT = "/opt/kafka"
# The JVM flags the rendered scripts give a short-lived tool (lib.sh's TOOL_JVM_OPTS: C1 alone, the serial
# collector), for the tests' own checks (`start`'s jvm_opts). They are instruments, not the product, and
# there are hundreds of them per test run: with kafka-run-class.sh's server flags each spent about 3 s of
# CPU on C2 compiles and G1 threads (process accounting of the two prod modules: 250 tool JVMs).
_TOOL_JVM_OPTS = re.search(r'^TOOL_JVM_OPTS="([^"]*)"', script_text(LIB), re.M)
assert _TOOL_JVM_OPTS, "components/shell/lib.sh no longer sets TOOL_JVM_OPTS"
TOOL_JVM_OPTS = _TOOL_JVM_OPTS[1]
# Which stand-in plays which image: by repository, as the program names them (any tag).
IMAGES = {KAFKA_IMAGE_REPOSITORY: "kafka", DEFAULT_ZOOKEEPER_IMAGE.rsplit(":", 1)[0]: "zookeeper"}


def sh(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, check=check)


def jars(variable: str = "KAFKA_DEMO_JARS") -> Path:
    location = os.environ.get(variable)
    assert location, f"{variable} is not set: run the README's test command (scripts/test.sh), which fetches Kafka"
    path = Path(location)
    assert list(path.glob("kafka_2.13-*.jar")), f"no Kafka jars in {path}"
    return path


ZK_IMAGE_MOUNT = "/apache-zookeeper"  # the image keeps ZooKeeper in /apache-zookeeper-<version>-bin, bin/ on PATH


def write_stand_ins(root: Path, jar_dir: Path) -> tuple[Path, Path]:
    """(Kafka home, ZooKeeper home) stand-ins, bound at the image paths inside the pod. Each script
    execs the image script's main class; the jars are bound at <home>/libs and <home>/lib. The scripts
    come from tools/images/stand_ins.py, which also puts them into the local cluster's images. The Kafka
    home holds the class data sharing archives the real image ships (storage.jsa, kafka.jsa)."""
    kafka_home, zk_home = root / "kafka-home", root / "zookeeper-home"
    stand_ins.write_stand_ins(kafka_home, zk_home, jar_dir, KAFKA_IMAGE_MOUNT, ZK_IMAGE_MOUNT)
    for archive in cds_archives(jar_dir).glob("*.jsa"):
        # A home written before (another stack on the same root) goes first: writing into a file that is a
        # link to the cached archive would change the cache.
        (kafka_home / archive.name).unlink(missing_ok=True)
        try:
            os.link(archive, kafka_home / archive.name)  # 70 MB each: linked, not copied, where it can be
        except OSError:
            shutil.copyfile(archive, kafka_home / archive.name)
    return kafka_home, zk_home


CDS_SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "images" / "cds-archives.sh"


def cds_archives(jar_dir: Path) -> Path:
    """The folder with storage.jsa and kafka.jsa for `jar_dir` and this machine's JVM, made once by
    tools/images/cds-archives.sh (as the image's build makes them) and cached under KAFKA_DEMO_CACHE.
    They are made where the pods see Kafka (/opt/kafka, the jars at /opt/kafka/libs: an archive records
    the class path), in a mount and network namespace of their own, and removed with them."""
    java = subprocess.run(["java", "-version"], capture_output=True, text=True, check=True).stderr
    inputs = [jar_dir.name, java, (Path(stand_ins.__file__)).read_text(), CDS_SCRIPT.read_text()]
    key = hashlib.sha256("\0".join(inputs).encode()).hexdigest()[:16]
    cache = Path(os.environ.get("KAFKA_DEMO_CACHE", Path.home() / ".cache" / "kafka-demo"))
    folder = cache / f"cds-{key}"
    if (folder / ".complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix="kafka-demo-cds-"))
    try:
        home = work / "kafka-home"
        stand_ins.write_kafka_home(home, jar_dir, KAFKA_IMAGE_MOUNT)
        started = time.monotonic()
        inner = (
            f"ip link set lo up && mkdir -p {KAFKA_IMAGE_MOUNT} && mount --bind {shlex.quote(str(home))} {KAFKA_IMAGE_MOUNT} && "
            f"mount --bind {shlex.quote(str(jar_dir))} {KAFKA_IMAGE_MOUNT}/libs && "
            f"bash {shlex.quote(str(CDS_SCRIPT))} {KAFKA_IMAGE_MOUNT} {shlex.quote(str(work / 'run'))}"
        )
        result = subprocess.run(
            ["unshare", "--net", "--mount", "--pid", "--fork", "--mount-proc", "bash", "-c", inner],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"making the class data sharing archives failed:\n{result.stdout}{result.stderr}"
        folder.mkdir(parents=True)
        for archive in ("storage.jsa", "kafka.jsa"):
            shutil.copyfile(home / archive, folder / archive)
        (folder / ".complete").touch()
        print(f"\n[realkafka] class data sharing archives for {jar_dir.name} made in {time.monotonic() - started:.0f}s: {folder}")
        return folder
    finally:
        shutil.rmtree(work, ignore_errors=True)


@dataclass
class Pod:
    name: str
    namespace: str  # network namespace
    ip: str
    container: dict[str, Any]
    pod_spec: dict[str, Any]
    claim_dirs: dict[str, Path]  # claim template name -> this pod's PVC directory
    directory: Path
    process: subprocess.Popen | None = None
    log: Path | None = None
    starts: int = 0


@dataclass
class Cluster:
    """The pods of one rendered stack on this machine."""

    manifests: list[dict[str, Any]]
    root: Path
    jar_dir: Path = field(default_factory=jars)
    pods: dict[str, Pod] = field(default_factory=dict)
    hosts: dict[str, str] = field(default_factory=dict)  # fqdn -> ip
    _next_ip: int = 10
    _stand_ins: tuple[Path, Path] | None = None
    _net_ready: bool = False

    # --- manifests ---------------------------------------------------------------------------

    def manifest(self, kind: str, name: str) -> dict[str, Any]:
        found = [m for m in self.manifests if m["kind"] == kind and m["metadata"]["name"] == name]
        assert found, f"{kind}/{name} is not in the rendered stack"
        return found[0]

    def config_map(self, name: str) -> dict[str, str]:
        return self.manifest("ConfigMap", name)["data"]

    @property
    def namespace_name(self) -> str:
        return [m for m in self.manifests if m["kind"] == "Namespace"][0]["metadata"]["name"]

    def fqdn(self, statefulset: str, ordinal: int, domain: str) -> str:
        return f"{statefulset}-{ordinal}.{statefulset}.{self.namespace_name}.svc.{domain}"

    # --- network -----------------------------------------------------------------------------

    def _network(self) -> None:
        if self._net_ready:
            return
        cleanup_network()
        sh("ip", "link", "add", BRIDGE, "type", "bridge")
        sh("ip", "addr", "add", f"{SUBNET}.1/24", "dev", BRIDGE)
        sh("ip", "link", "set", BRIDGE, "up")
        self._net_ready = True

    def _add_host(self, name: str) -> tuple[str, str]:
        self._network()
        namespace = f"{NS_PREFIX}{name}"[:60]
        ip = f"{SUBNET}.{self._next_ip}"
        index = self._next_ip
        self._next_ip += 1
        sh("ip", "netns", "add", namespace)
        sh("ip", "link", "add", f"kdv{index}", "type", "veth", "peer", "name", f"kdp{index}")
        sh("ip", "link", "set", f"kdv{index}", "master", BRIDGE)
        sh("ip", "link", "set", f"kdv{index}", "up")
        sh("ip", "link", "set", f"kdp{index}", "netns", namespace)
        sh("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up")
        sh("ip", "netns", "exec", namespace, "ip", "addr", "add", f"{ip}/24", "dev", f"kdp{index}")
        sh("ip", "netns", "exec", namespace, "ip", "link", "set", f"kdp{index}", "up")
        return namespace, ip

    def _write_hosts(self) -> None:
        lines = ["127.0.0.1 localhost"] + [f"{ip} {fqdn} {fqdn.split('.')[0]}" for fqdn, ip in self.hosts.items()]
        for pod in self.pods.values():
            etc = Path("/etc/netns") / pod.namespace
            etc.mkdir(parents=True, exist_ok=True)
            (etc / "hosts").write_text("\n".join(lines + [f"{pod.ip} {pod.name}"]) + "\n")

    # --- pods ---------------------------------------------------------------------------------

    def add_statefulset(self, name: str) -> list[Pod]:
        return self._add_statefulset_pods(name, range(self.manifest("StatefulSet", name)["spec"]["replicas"]))

    def scale_statefulset(self, name: str, manifests: list[dict[str, Any]]) -> list[Pod]:
        """Take a new render (as `pulumi up` applies it) and add the pods a larger StatefulSet `name` has;
        returns them, not started. Pods beyond a smaller count are the caller's to stop."""
        self.manifests = manifests
        existing = [pod for pod in self.pods if re.fullmatch(rf"{re.escape(name)}-\d+", pod)]
        return self._add_statefulset_pods(name, range(len(existing), self.manifest("StatefulSet", name)["spec"]["replicas"]))

    def _add_statefulset_pods(self, name: str, ordinals: range) -> list[Pod]:
        spec = self.manifest("StatefulSet", name)["spec"]
        pods = []
        for ordinal in ordinals:
            pod_name = f"{name}-{ordinal}"
            claims = {
                claim["metadata"]["name"]: self.root / "pvcs" / f"{claim['metadata']['name']}-{pod_name}"
                for claim in spec.get("volumeClaimTemplates", [])
            }
            pods.append(self._add_pod(pod_name, spec["template"]["spec"], claims))
        # The per-pod DNS names, as the headless Service publishes them.
        domain = self._cluster_domain()
        for ordinal, pod in zip(ordinals, pods, strict=True):
            self.hosts[self.fqdn(name, ordinal, domain)] = pod.ip
        self._write_hosts()
        return pods

    def add_client(self, name: str, kind: str, manifest_name: str | None = None) -> Pod:
        """A pod of a Deployment or Job (one replica is enough here)."""
        manifest = self.manifest(kind, manifest_name or name)
        pod = self._add_pod(name, manifest["spec"]["template"]["spec"], {})
        self._write_hosts()
        return pod

    def _cluster_domain(self) -> str:
        props = self.config_map("kafka-config")["server.properties"]
        advertised = [line for line in props.splitlines() if line.startswith("advertised.listeners=")][0]
        host = advertised.split(",", 1)[0].split("//", 1)[1].rsplit(":", 1)[0]
        return host.split(".svc.", 1)[1]

    def _add_pod(self, name: str, pod_spec: dict[str, Any], claims: dict[str, Path]) -> Pod:
        namespace, ip = self._add_host(name)
        pod = Pod(name, namespace, ip, pod_spec["containers"][0], pod_spec, claims, self.root / "pods" / name)
        self.pods[name] = pod
        return pod

    def _volume_dirs(self, pod: Pod) -> dict[str, Path]:
        """container mountPath -> host directory, from the pod's volumeMounts and volumes."""
        volumes = {v["name"]: v for v in pod.pod_spec.get("volumes", [])}
        mounts: dict[str, Path] = {}
        for mount in pod.container.get("volumeMounts", []):
            source = mount["name"]
            if source in pod.claim_dirs:
                path = pod.claim_dirs[source]  # survives restarts, like a PVC
                path.mkdir(parents=True, exist_ok=True)
            elif "configMap" in volumes.get(source, {}):
                path = pod.directory / "volumes" / source
                shutil.rmtree(path, ignore_errors=True)
                path.mkdir(parents=True)
                for file_name, content in self.config_map(volumes[source]["configMap"]["name"]).items():
                    (path / file_name).write_text(content)
            elif "secret" in volumes.get(source, {}) or "projected" in volumes.get(source, {}):
                path = pod.directory / "volumes" / source
                shutil.rmtree(path, ignore_errors=True)
                path.mkdir(parents=True)
                for file_name, content in self._secret_files(volumes[source]).items():
                    (path / file_name).write_text(content)
            elif "emptyDir" in volumes.get(source, {}):
                path = pod.directory / "volumes" / f"{source}-{pod.starts}"  # new on every start
                path.mkdir(parents=True, exist_ok=True)
            else:
                raise AssertionError(f"{pod.name}: volume {source} has no stand-in")
            mounts[mount["mountPath"]] = path
        return mounts

    def _secret_files(self, volume: dict[str, Any]) -> dict[str, str]:
        """file name -> content of a secret volume (every key) or a projected one (secret items)."""
        if "secret" in volume:
            return dict(self.manifest("Secret", volume["secret"]["secretName"])["stringData"])
        files = {}
        for source in volume["projected"]["sources"]:
            assert "secret" in source, f"projected source {source} has no stand-in"
            data = self.manifest("Secret", source["secret"]["name"])["stringData"]
            for item in source["secret"]["items"]:
                files[item["path"]] = data[item["key"]]
        return files

    def start(
        self,
        pod: Pod | str,
        command: list[str] | None = None,
        extra_mounts: dict[str, Path] | None = None,
        jvm_opts: str | None = None,
    ) -> Pod:
        """Start `pod`: its container's own command, or `command`; with `jvm_opts`, that is the Kafka
        tools' KAFKA_JVM_PERFORMANCE_OPTS (e.g. TOOL_JVM_OPTS for a test's check)."""
        pod = self.pods[pod] if isinstance(pod, str) else pod
        assert pod.process is None or pod.process.poll() is not None, f"{pod.name} is already running"
        pod.starts += 1
        pod.directory.mkdir(parents=True, exist_ok=True)
        if self._stand_ins is None:  # scans the jars once per cluster, not per pod start
            self._stand_ins = write_stand_ins(self.root / "stand-ins", self.jar_dir)
        kafka_home, zk_home = self._stand_ins
        mounts = self._volume_dirs(pod)
        for path in list(mounts.values()) + list(pod.claim_dirs.values()):
            os.chown(path, int(RUN_AS), int(RUN_AS))  # fsGroup: the pod's user can write its volumes
        # What the image brings (bound after the volumes, read-only root or not, like image layers).
        image = IMAGES.get(pod.container["image"].rsplit(":", 1)[0])
        assert image, f"{pod.name}: image {pod.container['image']} has no stand-in (known: {', '.join(IMAGES)})"
        if image == "zookeeper":
            mounts.update({ZK_IMAGE_MOUNT: zk_home, f"{ZK_IMAGE_MOUNT}/lib": self.jar_dir})
        else:
            mounts.update({KAFKA_IMAGE_MOUNT: kafka_home, f"{KAFKA_IMAGE_MOUNT}/libs": self.jar_dir})
        mounts.update(extra_mounts or {})
        env = {"PATH": f"{ZK_IMAGE_MOUNT}/bin:/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "HOSTNAME": pod.name}
        for item in pod.container.get("env", []):
            if "value" in item:
                env[item["name"]] = item["value"]
            elif item.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "metadata.name":
                env[item["name"]] = pod.name
            else:
                raise AssertionError(f"{pod.name}: env {item['name']} has no stand-in")
        if jvm_opts is not None:
            env["KAFKA_JVM_PERFORMANCE_OPTS"] = jvm_opts
        # A target that hides other sources (the /tmp emptyDir over this harness's /tmp) is bound last.
        sources = [str(source) for source in mounts.values()]
        ordered = sorted(mounts.items(), key=lambda item: any(s.startswith(item[0].rstrip("/") + "/") for s in sources))
        binds = " && ".join(
            f"mkdir -p {shlex.quote(target)} && mount --bind {shlex.quote(str(source))} {shlex.quote(target)}"
            for target, source in ordered
        )
        argv = command or pod.container["command"] + pod.container.get("args", [])
        inner = (
            f"{binds} && mount -o remount,bind,ro / && hostname {shlex.quote(pod.name)} && "
            f"exec setpriv --reuid={RUN_AS} --regid={RUN_AS} --clear-groups env -i "
            + " ".join(shlex.quote(f"{k}={v}") for k, v in env.items())
            + " "
            + " ".join(shlex.quote(a) for a in argv)
        )
        pod.log = pod.directory / f"log-{pod.starts}.txt"
        with open(pod.log, "w") as log:
            pod.process = subprocess.Popen(
                [
                    "ip",
                    "netns",
                    "exec",
                    pod.namespace,
                    "unshare",
                    "--mount",
                    "--uts",
                    "--propagation",
                    "private",
                    "bash",
                    "-c",
                    inner,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return pod

    def stop(self, pod: Pod | str, sig: int = signal.SIGTERM, timeout: float = 60) -> int | None:
        pod = self.pods[pod] if isinstance(pod, str) else pod
        if pod.process is None or pod.process.poll() is not None:
            return pod.process.returncode if pod.process else None
        try:
            os.killpg(pod.process.pid, sig)
            return pod.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(pod.process.pid, signal.SIGKILL)
            return pod.process.wait()
        except ProcessLookupError:
            return pod.process.wait()

    def output(self, pod: Pod | str) -> str:
        pod = self.pods[pod] if isinstance(pod, str) else pod
        return pod.log.read_text(errors="replace") if pod.log and pod.log.exists() else ""

    def mapped_files(self, pod: Pod | str) -> set[str]:
        """The files the pod's processes have mapped into memory, as the pod sees their paths (a JVM maps
        the class data sharing archive it uses)."""
        pod = self.pods[pod] if isinstance(pod, str) else pod
        assert pod.process is not None and pod.process.poll() is None, f"{pod.name} is not running"
        mapped: set[str] = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if os.getsid(int(entry.name)) != pod.process.pid:
                    continue
                lines = (entry / "maps").read_text().splitlines()
            except (OSError, ProcessLookupError):  # gone meanwhile
                continue
            mapped |= {line.split(None, 5)[5] for line in lines if len(line.split(None, 5)) == 6}
        return mapped

    def wait_port(self, pod: Pod | str, port: int, timeout: float = 120, restarts: int = 0) -> float:
        """Seconds until the pod accepts TCP connections on `port` (what a tcpSocket probe checks).
        With `restarts`, a pod that exits first is started again that many times, as the kubelet does
        (restartPolicy Always), and said so; without, an exit fails."""
        pod = self.pods[pod] if isinstance(pod, str) else pod
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if pod.process and pod.process.poll() is not None and restarts > 0:
                restarts -= 1
                tail = "\n".join(self.output(pod).splitlines()[-3:])
                print(
                    f"\n[realkafka] {pod.name} exited ({pod.process.returncode}) before serving :{port}; restarted as the kubelet would:\n{tail}"
                )
                self.start(pod)
            assert pod.process and pod.process.poll() is None, f"{pod.name} exited:\n{self.output(pod)[-4000:]}"
            try:
                with socket.create_connection((pod.ip, port), timeout=1):
                    return time.monotonic() - started
            except OSError:
                time.sleep(0.5)
        raise AssertionError(f"{pod.name} did not open :{port} in {timeout}s:\n{self.output(pod)[-4000:]}")

    def probe(self, pod: Pod | str, kind: str = "readinessProbe") -> bool:
        """Run the container's rendered probe the way the kubelet would: exec inside the pod's
        network namespace as the pod's user, or a TCP connect to the pod's address."""
        pod = self.pods[pod] if isinstance(pod, str) else pod
        spec = pod.container[kind]
        if "tcpSocket" in spec:
            try:
                with socket.create_connection((pod.ip, spec["tcpSocket"]["port"]), timeout=spec.get("timeoutSeconds", 1)):
                    return True
            except OSError:
                return False
        command = spec["exec"]["command"]
        if pod.process is None or pod.process.poll() is not None:
            return False
        # Inside the pod's mount and network namespaces, as the kubelet's exec would: the probe reads the
        # pod's own files (its ConfigMap's scripts) where the pod sees them.
        result = subprocess.run(
            [
                "nsenter",
                f"--target={pod.process.pid}",
                "--mount",
                "--net",
                "setpriv",
                f"--reuid={RUN_AS}",
                f"--regid={RUN_AS}",
                "--clear-groups",
                *command,
            ],
            capture_output=True,
            timeout=spec.get("timeoutSeconds", 1) + 5,
        )
        return result.returncode == 0

    def pre_stop(self, pod: Pod | str) -> subprocess.Popen:
        """Start the container's rendered preStop hook inside the running pod, as the kubelet would
        before it sends SIGTERM: same namespaces, user and environment. Returns the running hook."""
        pod = self.pods[pod] if isinstance(pod, str) else pod
        command = pod.container["lifecycle"]["preStop"]["exec"]["command"]
        assert pod.process is not None and pod.process.poll() is None, f"{pod.name} is not running"
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp"}
        for item in pod.container.get("env", []):
            env[item["name"]] = item.get("value", pod.name)  # metadata.name is the only fieldRef
        return subprocess.Popen(
            [
                "nsenter",
                f"--target={pod.process.pid}",
                "--mount",
                "--net",
                "setpriv",
                f"--reuid={RUN_AS}",
                f"--regid={RUN_AS}",
                "--clear-groups",
                "env",
                "-i",
                *(f"{k}={v}" for k, v in env.items()),
                *command,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def run(
        self, pod: Pod | str, command: list[str] | None, timeout: float = 300, jvm_opts: str | None = None
    ) -> tuple[int, str]:
        """Start the pod with `command` (or its own) and wait for it to exit: (exit code, output)."""
        pod = self.start(pod, command, jvm_opts=jvm_opts)
        assert pod.process is not None
        try:
            code = pod.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop(pod, signal.SIGKILL)
            raise AssertionError(f"{pod.name} did not finish in {timeout}s:\n{self.output(pod)[-4000:]}") from None
        return code, self.output(pod)

    def run_job(self, pod: str, job: str | None = None, timeout: float = 300, runs: int | None = None) -> tuple[int, str]:
        """Run the Job `job`'s pod (named `pod`; the Job's own name by default) to its end, and again after
        a failure up to the Job's backoffLimit, as the Job controller does, each failure printed:
        (exit code, output) of the last run. Seen once on a loaded machine: the topic Job's config call
        timed out at a new cluster's first boot, and its second run passed. `runs`: at most that many (a
        Job that must fail with a refusal refuses the same way on every run: one run shows it)."""
        job = job or pod
        if pod not in self.pods:
            self.add_client(pod, "Job", job)
        runs = min(runs or 1000, self.manifest("Job", job)["spec"].get("backoffLimit", 6) + 1)
        for run in range(1, runs):
            code, output = self.run(pod, None, timeout=timeout)
            if code == 0:
                return code, output
            print(
                f"\n[realkafka] job {job} failed ({code}), run {run} of {runs}; run again as the Job controller would:\n{output[-1500:]}"
            )
        return self.run(pod, None, timeout=timeout)

    def teardown(self) -> None:
        for pod in self.pods.values():
            if pod.process and pod.process.poll() is None:
                self.stop(pod, signal.SIGKILL, timeout=10)
        for pod in self.pods.values():
            shutil.rmtree(Path("/etc/netns") / pod.namespace, ignore_errors=True)
        cleanup_network()


def cleanup_network() -> None:
    """Remove this harness's namespaces and bridge (also leftovers of an interrupted run)."""
    listing = sh("ip", "netns", "list", check=False).stdout
    for line in listing.splitlines():
        name = line.split()[0] if line.strip() else ""
        if name.startswith(NS_PREFIX):
            for pid in sh("ip", "netns", "pids", name, check=False).stdout.split():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)
            sh("ip", "netns", "del", name, check=False)
            shutil.rmtree(Path("/etc/netns") / name, ignore_errors=True)
    for line in sh("ip", "-o", "link", "show", check=False).stdout.splitlines():
        link = line.split(":")[1].strip().split("@")[0] if ":" in line else ""
        if link.startswith(("kdv", "kdp")):  # a veth left behind before it moved into its namespace
            sh("ip", "link", "del", link, check=False)
    sh("ip", "link", "del", BRIDGE, check=False)
