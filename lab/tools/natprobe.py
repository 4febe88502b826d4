#!/usr/bin/env python3
"""natprobe: classifies one lab home's NAT (RFC 4787 terms) with raw UDP from several namespaces.

Run in the host namespace as root; sockets are opened inside the lab's namespaces with setns(2)
and keep their namespace afterwards, so one process plays the home and the outside hosts.

  mapping:   one home socket sends STUN Binding Requests to coturn's two IPs x two ports.
             One mapped address for all four = endpoint-independent (EIM); one per IP =
             address-dependent; one per IP:port = address-and-port-dependent (symmetric).
  filtering: a fresh home socket asks STUN for its mapping, then hosts it never contacted send
             datagrams to that mapping: another address (the origin namespace) and the STUN
             server's address from another port. Both arrive = endpoint-independent (EIF);
             only the second = address-dependent; none = address-and-port-dependent.

usage: natprobe.py HOME_NS --stun IP:PORT --stun-alt IP:PORT --other NS=IP --same NS
prints one JSON line: {"home", "mappings", "mapping", "filtering", "kind"}
"""
import argparse
import ctypes
import json
import os
import select
import socket
import struct
import sys

MAGIC = 0x2112A442
TRIES = 4             # the lab's links lose packets: a few tries per question
WAIT_S = 0.7          # per try; well above the lab's largest RTT (80 ms + jitter)
CLONE_NEWNET = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)
HOST_NS = os.open("/proc/self/ns/net", os.O_RDONLY)


def udp_socket_in(ns, bind=("0.0.0.0", 0)):
    """A UDP socket created inside network namespace `ns` (then back to the host namespace)."""
    fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {ns}")
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(bind)
        return s
    finally:
        libc.setns(HOST_NS, CLONE_NEWNET)
        os.close(fd)


def binding(s, server):
    """STUN Binding Request -> the (ip, port) the server saw, or None."""
    tid = os.urandom(12)
    for _ in range(TRIES):
        s.sendto(struct.pack("!HHI12s", 0x0001, 0, MAGIC, tid), server)
        deadline = WAIT_S
        while True:
            r, _, _ = select.select([s], [], [], deadline)
            if not r:
                break
            data, _src = s.recvfrom(2048)
            if len(data) < 20 or data[8:20] != tid or struct.unpack("!H", data[:2])[0] != 0x0101:
                continue
            return parse_mapped(data)
    return None


def parse_mapped(data):
    length = struct.unpack("!H", data[2:4])[0]
    pos, found = 20, None
    while pos + 4 <= 20 + length:
        atype, alen = struct.unpack("!HH", data[pos:pos + 4])
        val = data[pos + 4:pos + 4 + alen]
        if atype == 0x0020:  # XOR-MAPPED-ADDRESS
            port = struct.unpack("!H", val[2:4])[0] ^ (MAGIC >> 16)
            ip = socket.inet_ntoa(struct.pack("!I", struct.unpack("!I", val[4:8])[0] ^ MAGIC))
            return ip, port
        if atype == 0x0001:  # MAPPED-ADDRESS (old servers)
            found = socket.inet_ntoa(val[4:8]), struct.unpack("!H", val[2:4])[0]
        pos += 4 + alen + (-alen % 4)
    return found


def reaches(sender, target, receiver):
    """Does a datagram from `sender` to `target` (a mapping) arrive on `receiver`?"""
    token = os.urandom(16)
    for _ in range(TRIES):
        sender.sendto(token, target)
        while True:
            r, _, _ = select.select([receiver], [], [], WAIT_S)
            if not r:
                break
            data, _src = receiver.recvfrom(2048)
            if data == token:
                return True
    return False


def addr(text):
    ip, port = text.rsplit(":", 1)
    return ip, int(port)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("home")
    ap.add_argument("--stun", type=addr, required=True, help="coturn's first IP:port")
    ap.add_argument("--stun-alt", type=addr, required=True, help="coturn's second IP:port")
    ap.add_argument("--other", required=True, help="NS=IP: a host with another address")
    ap.add_argument("--same", required=True, help="NS holding the --stun IP (to send from another port)")
    a = ap.parse_args()

    (ip_a, port), (ip_b, _) = a.stun, a.stun_alt
    targets = [(ip_a, port), (ip_a, port + 1), (ip_b, port), (ip_b, port + 1)]
    s = udp_socket_in(a.home)
    mappings = [binding(s, t) for t in targets]
    s.close()
    if None in mappings:
        print(json.dumps({"home": a.home, "error": "no STUN answer", "mappings": mappings}))
        return 1
    if len(set(mappings)) == 1:
        mapping = "endpoint-independent"
    elif mappings[0] == mappings[1] and mappings[2] == mappings[3]:
        mapping = "address-dependent"
    else:
        mapping = "address-and-port-dependent"

    home = udp_socket_in(a.home)
    mapped = binding(home, a.stun)
    other_ns, other_ip = a.other.split("=", 1)
    from_other = udp_socket_in(other_ns, (other_ip, 0))
    from_same = udp_socket_in(a.same, (ip_a, 0))
    other_ok = mapped is not None and reaches(from_other, mapped, home)
    same_ok = mapped is not None and reaches(from_same, mapped, home)
    filtering = ("endpoint-independent" if other_ok else
                 "address-dependent" if same_ok else "address-and-port-dependent")

    if mapping != "endpoint-independent":
        kind = "symmetric"
    else:
        kind = {"endpoint-independent": "full-cone", "address-dependent": "restricted-cone",
                "address-and-port-dependent": "port-restricted"}[filtering]
    print(json.dumps({"home": a.home, "mappings": [f"{i}:{p}" for i, p in mappings], "mapping": mapping,
                      "filtering": filtering, "from_other_address": other_ok, "from_same_address_other_port": same_ok,
                      "kind": kind}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
