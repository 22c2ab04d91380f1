"""A sandbox to run the scripts in: a temporary directory standing in for the ConfigMap mount, the
image's tools (fakes that record their argv) and the volumes; and a fake ZooKeeper on 127.0.0.1."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from . import shell

TIMEOUT = 20  # seconds; every script here ends in well under one, so this only turns a hang into a failure

# Every fake appends its argv, one `printf %q` line per call, to <state>/<tool>.calls, and the JVM settings
# kafka-run-class.sh would take from its environment, one line per call, to <state>/<tool>.jvm.
_FAKE_HEADER = """#!/bin/bash
set -euo pipefail
STATE={state}
{{ printf '%q ' "$@"; echo; }} >>"$STATE/{name}.calls"
echo "heap=${{KAFKA_HEAP_OPTS:-}} jvm=${{KAFKA_JVM_PERFORMANCE_OPTS:-}}" >>"$STATE/{name}.jvm"
"""


class Sandbox:
    def __init__(self, root: Path):
        self.root = root
        self.config = root / "config"  # the ConfigMap mount: scripts, lib.sh, params.env (and server.properties, zoo.cfg)
        self.kafka_home = root / "kafka"  # KAFKA_HOME; fakes go in its bin/
        self.state = root / "state"  # what the fakes record
        for directory in (self.config, self.kafka_home / "bin", self.state):
            directory.mkdir(parents=True)

    def fake(self, name: str, body: str = "", directory: Path | None = None) -> Path:
        """A fake tool `name` that records its argv, then runs `body` (bash; $STATE is the state dir)."""
        path = (directory or self.kafka_home / "bin") / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_FAKE_HEADER.format(state=shlex.quote(str(self.state)), name=name) + body + "\n")
        path.chmod(0o755)
        return path

    def calls(self, name: str) -> list[list[str]]:
        """The argv of each call of fake `name`, in order."""
        path = self.state / f"{name}.calls"
        return [shlex.split(line) for line in path.read_text().splitlines()] if path.exists() else []

    def jvm(self, name: str) -> list[str]:
        """The JVM settings each call of fake `name` got ("heap=... jvm=..."), in order."""
        path = self.state / f"{name}.jvm"
        return path.read_text().splitlines() if path.exists() else []

    def install(self, scripts: list[str], params: Mapping) -> None:
        """Write config_files(scripts, params) where the pod would mount them."""
        for name, text in shell.config_files(scripts, params).items():
            (self.config / name).write_text(text)

    def run(
        self, script: str, env: Mapping[str, str] | None = None, path_prefix: Path | None = None
    ) -> subprocess.CompletedProcess:
        """bash <config>/<script>, as the pod's command runs it, with only PATH and `env` set."""
        search_path = os.environ["PATH"] if path_prefix is None else f"{path_prefix}{os.pathsep}{os.environ['PATH']}"
        return subprocess.run(
            ["bash", str(self.config / script)],
            env={"PATH": search_path, **(env or {})},
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )


_BROKER: list[socket.socket] = []


def broker_port() -> int:
    """The port of a TCP listener on 127.0.0.1 standing in for a broker's port: it accepts connections
    and closes them (the scripts only check that a broker answers before they run a Kafka tool). One for
    the whole test process, started on first use."""
    if not _BROKER:
        server = socket.create_server(("127.0.0.1", 0))

        def serve() -> None:
            while True:
                conn, _ = server.accept()
                conn.close()

        threading.Thread(target=serve, daemon=True).start()
        _BROKER.append(server)
    return _BROKER[0].getsockname()[1]


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


@contextmanager
def fake_zookeeper(*replies: bytes | None) -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on 127.0.0.1 and a free port, yielding (port, requests). Each connection gets the
    next reply (the last one repeats; None: close without answering) after its 4-byte request."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)  # so the loop sees `stop` promptly
    stop = threading.Event()
    requests: list[bytes] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                request = b""
                while len(request) < 4:
                    chunk = conn.recv(4 - len(request))
                    if not chunk:
                        break
                    request += chunk
                requests.append(request)
                reply = replies[min(len(requests), len(replies)) - 1]
                if reply:
                    conn.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], requests
    finally:
        stop.set()
        thread.join(5)
        server.close()


SERVING = b"Zookeeper version: 3.9.4\nLatency min/avg/max: 0/0.0/0\nMode: follower\nNode count: 5\n"
NOT_SERVING = b"This ZooKeeper instance is not currently serving requests\n"
