"""Rules every container script keeps."""

from __future__ import annotations

import re

from components import shell


def test_no_fixed_sleeps_anywhere():
    """A sleep is a poll interval (or the producer's event interval), never "give Kafka time"."""
    for name in shell.SCRIPTS + ("lib.sh",):
        depth = 0  # how many until/while loops enclose the current line
        for number, line in enumerate(shell.script_text(name).splitlines(), 1):
            code = line.strip()
            if re.search(r"(^|;\s*)do$", code):
                depth += 1
            elif code == "done" or code.startswith("done "):
                depth -= 1
            elif code.startswith("sleep"):
                assert depth > 0, f"{name}: fixed sleep outside a loop at line {number}"
