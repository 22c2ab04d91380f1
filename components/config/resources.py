"""CPU, memory and JVM heap of a container: the keys every JVM workload shares, and their rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .checks import byte_quantity, cpu_quantity, optional
from .quantity import parse_bytes, parse_millicores
from .schema import Key, Labels, show

MIN_JVM_MEMORY_MIB = 256


@dataclass(frozen=True)
class JvmResources:
    cpu_request: str
    cpu_limit: str
    memory: str
    heap_mib: int  # -Xmx/-Xms, about a third of the memory limit unless set


def resource_keys(cpu_request: str, cpu_limit: str, memory: str, what: str, heap: bool = False) -> tuple[Key, ...]:
    keys: tuple[Key, ...] = (
        Key("cpuRequest", cpu_request, cpu_quantity, "CPU quantity, ≤ cpuLimit", f"{what} CPU request."),
        Key("cpuLimit", cpu_limit, cpu_quantity, "CPU quantity", f"{what} CPU limit."),
        Key("memory", memory, byte_quantity, "quantity ≥ 256Mi", f"{what} memory request = limit (heap a third unless set)."),
    )
    if heap:
        keys += (
            Key(
                "heapSize",
                None,
                optional(byte_quantity),
                "quantity < memory",
                f"{what} JVM heap (-Xms/-Xmx); the rest is page cache and JVM overhead.",
                "a third of memory",
            ),
        )
    return keys


def checked_bytes(text: str) -> int:
    """The bytes of a quantity its key's check (byte_quantity) has accepted: args are built only then."""
    value = parse_bytes(text)
    if value is None:
        raise ValueError(f"not a byte quantity: {text!r} (its key's check should have refused it)")
    return value


def jvm_resources(values: dict[str, Any], labels: Labels, problems: list[str]) -> JvmResources:
    """The container's resources; requests within limits, enough memory for a JVM, heap below memory."""
    request, limit = parse_millicores(values["cpuRequest"]), parse_millicores(values["cpuLimit"])
    if request and limit and request > limit:
        problems.append(
            f"{labels.full('cpuRequest')} = {show(values['cpuRequest'])}: must not exceed {labels.short('cpuLimit')} ({values['cpuLimit']})"
        )
    memory_mib = checked_bytes(values["memory"]) // 2**20
    if memory_mib < MIN_JVM_MEMORY_MIB:
        problems.append(
            f"{labels.full('memory')} = {show(values['memory'])}: must be at least {MIN_JVM_MEMORY_MIB}Mi; "
            f"every pod here runs a JVM"
        )
    heap_mib = memory_mib // 3  # the seed's guidance: a third for the heap, the rest for the page cache
    if values.get("heapSize"):
        heap_mib = checked_bytes(values["heapSize"]) // 2**20
        if not 0 < heap_mib < memory_mib:
            problems.append(
                f"{labels.full('heapSize')} = {show(values['heapSize'])}: must be at least 1Mi and below "
                f"{labels.short('memory')} ({values['memory']}); the rest of the memory is page cache and JVM overhead"
            )
    return JvmResources(values["cpuRequest"], values["cpuLimit"], values["memory"], heap_mib)
