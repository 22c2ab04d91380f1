"""Kubernetes resource quantities ("2Gi", "500m") parsed into numbers.

Only the suffixes a person writes for memory, storage and CPU are accepted; the exponent
forms ("1e9") are valid Kubernetes but refused here to keep error messages and arithmetic simple.
"""

from __future__ import annotations

import re

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}
_BYTES = re.compile(r"^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
_CPU = re.compile(r"^(\d+(?:\.\d+)?)(m)?$")

BYTES_ALLOWED = (
    "a Kubernetes quantity such as 512Mi, 2Gi or 100G (a number with an optional Ki/Mi/Gi/Ti/Pi/Ei or k/M/G/T/P/E suffix)"
)
CPU_ALLOWED = "a Kubernetes CPU quantity such as 250m, 1 or 1.5"


def parse_bytes(text: str) -> int | None:
    """Bytes in a quantity like "2Gi", or None when the text is not one."""
    match = _BYTES.match(text) if isinstance(text, str) else None
    if not match:
        return None
    number, suffix = match.groups()
    factor = _BINARY.get(suffix or "", _DECIMAL.get(suffix or "", 1))
    return int(float(number) * factor)


def parse_millicores(text: str) -> int | None:
    """Millicores in a CPU quantity like "500m" or "2", or None when the text is not one."""
    match = _CPU.match(text) if isinstance(text, str) else None
    if not match:
        return None
    number, milli = match.groups()
    return int(float(number) * (1 if milli else 1000))
