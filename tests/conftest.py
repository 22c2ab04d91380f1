import signal
import sys
from pathlib import Path

# Tests import the program the way `pulumi up` does: from the project root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config) -> None:
    """A stopped test run still tears down what it started (network namespaces, the local cluster): SIGTERM
    ends it as Ctrl-C does, and so does SIGINT even where the run was started with it ignored (a background
    job of a script, as scripts/test.sh's second lane is)."""
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: its controller stops it
        return
    signal.signal(signal.SIGTERM, _interrupted)
    signal.signal(signal.SIGINT, signal.default_int_handler)
