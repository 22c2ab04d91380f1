#!/usr/bin/env python3
"""Ask one DNS server for the A records of one name; print the addresses, one per line.

    dns-query.py SERVER NAME [TIMEOUT_SECONDS]

Exit 0 with at least one address, 1 otherwise (no answer, NXDOMAIN, timeout). Standard library only:
the local cluster's health check uses it because dig/nslookup are not installed on every machine.
"""

from __future__ import annotations

import random
import socket
import struct
import sys


def query(server: str, name: str, timeout: float) -> list[str]:
    ident = random.randrange(1 << 16)
    header = struct.pack(">HHHHHH", ident, 0x0100, 1, 0, 0, 0)  # recursion desired, one question
    question = b"".join(bytes([len(label)]) + label.encode() for label in name.rstrip(".").split(".")) + b"\0"
    packet = header + question + struct.pack(">HH", 1, 1)  # type A, class IN
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(packet, (server, 53))
        reply, _ = sock.recvfrom(4096)
    rid, flags, qdcount, ancount = struct.unpack(">HHHH", reply[:8])
    if rid != ident or flags & 0x000F:  # another query's reply, or an error rcode
        return []
    offset = 12
    for _ in range(qdcount):  # skip the echoed question: name, type, class
        offset = _skip_name(reply, offset) + 4
    addresses = []
    for _ in range(ancount):
        offset = _skip_name(reply, offset)
        rtype, _rclass, _ttl, length = struct.unpack(">HHIH", reply[offset : offset + 10])
        offset += 10
        if rtype == 1 and length == 4:
            addresses.append(socket.inet_ntoa(reply[offset : offset + 4]))
        offset += length
    return addresses


def _skip_name(message: bytes, offset: int) -> int:
    while True:
        length = message[offset]
        if length & 0xC0 == 0xC0:  # compression pointer: two bytes, ends the name
            return offset + 2
        offset += 1 + length
        if length == 0:
            return offset


def main() -> int:
    if len(sys.argv) not in (3, 4):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        addresses = query(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) == 4 else 2.0)
    except OSError as error:
        print(f"dns-query: {error}", file=sys.stderr)
        return 1
    print("\n".join(addresses))
    return 0 if addresses else 1


if __name__ == "__main__":
    sys.exit(main())
