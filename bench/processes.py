"""What a benchmark reads about processes: CPU seconds of a whole pod, peak memory of a command."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Literal, overload

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def session_cpu_seconds(session: int) -> float:
    """User + system CPU seconds of every live process in a session (a harness pod is one: it starts
    with its own session), plus what they reaped of their children (bash's `cutime` holds every `date`,
    `sleep` or JVM it ran and waited for). Read while the pod still runs: an exited process's time is
    only in its parent's, which the harness does not ask for."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        # After the command name: state(3) ppid pgrp session(6) ... utime(14) stime cutime cstime(17).
        if int(fields[3]) == session:
            total += sum(int(value) for value in fields[11:15])
    return total / CLOCK_TICKS


@overload
def timed(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600, output: Literal[False] = False
) -> tuple[float, float]: ...
@overload
def timed(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600, *, output: Literal[True]
) -> tuple[float, float, str]: ...
def timed(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600, output: bool = False
) -> tuple[float, float] | tuple[float, float, str]:
    """Run a command to its end: (wall seconds, peak resident memory in MiB of the command and the
    children it waited for, and with `output` what it printed). It must succeed."""
    started = time.monotonic()
    # Into a file, not a pipe: a command that prints more than a pipe holds would block on a full pipe.
    with tempfile.TemporaryFile() as sink:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"{' '.join(command)} did not finish in {timeout:.0f}s")
            time.sleep(0.02)
        wall = time.monotonic() - started
        sink.seek(0)
        printed = sink.read().decode(errors="replace")
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({process.returncode}):\n{printed[-3000:]}")
    peak = usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux
    return (wall, peak, printed) if output else (wall, peak)
