#!/usr/bin/env python3
"""Userspace delay line for the anyprobe lab (the kernel here has no netem).

Usage (inside the delay namespace, e.g. ap-d-fra-iad):
    delayline.py run --a IF_A --b IF_B --delay-ms MS --pidfile FILE
        Copies every Ethernet frame received on IF_A to IF_B and vice versa,
        each after MS milliseconds (one way).  It is a transparent L2 "wire":
        ARP, ND, BGP, ICMP, UDP and TCP all pass; per-direction FIFO keeps the
        frame order; jitter is the scheduling error of select() (~0.1 ms).
    delayline.py offload-off IF...
        Turns off TX checksum / scatter-gather / TSO / GSO / GRO on the given
        interfaces of the current namespace (ethtool ioctl, no ethtool binary
        needed).  Needed on the router ends of a delayed veth: otherwise the
        router hands the veth frames with an unfinished checksum or 64 KiB
        TCP super-frames, which an AF_PACKET socket would pass on as is.
"""
import argparse
import array
import collections
import fcntl
import os
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_PROMISC = 1
PACKET_IGNORE_OUTGOING = 23
PACKET_OUTGOING = 4
SIOCETHTOOL = 0x8946

# legacy ethtool "set" commands (still mapped onto netdev features)
ETHTOOL_STXCSUM = 0x17
ETHTOOL_SSG = 0x19
ETHTOOL_STSO = 0x1F
ETHTOOL_SGSO = 0x24
ETHTOOL_SGRO = 0x2C


def ethtool_set(sock, ifname, cmd, value):
    buf = array.array("B", struct.pack("II", cmd, value))
    addr, _ = buf.buffer_info()
    ifr = struct.pack("16sP", ifname.encode(), addr)
    fcntl.ioctl(sock.fileno(), SIOCETHTOOL, ifr)


def offload_off(ifnames):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for ifname in ifnames:
        # GSO/TSO first, then checksum (TSO depends on it)
        for cmd in (ETHTOOL_SGRO, ETHTOOL_SGSO, ETHTOOL_STSO, ETHTOOL_SSG, ETHTOOL_STXCSUM):
            try:
                ethtool_set(s, ifname, cmd, 0)
            except OSError as e:
                # EOPNOTSUPP for a feature the device never had is fine
                if e.errno not in (95,):
                    raise
    s.close()


def open_port(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    try:
        s.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
    except OSError:
        pass  # old kernel: we also filter on pkttype below
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    s.bind((ifname, ETH_P_ALL))
    ifindex = socket.if_nametoindex(ifname)
    mreq = struct.pack("iHH8s", ifindex, PACKET_MR_PROMISC, 0, b"")
    s.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq)
    s.setblocking(False)
    return s


def run(a_name, b_name, delay_ms, pidfile):
    delay = delay_ms / 1000.0
    a = open_port(a_name)
    b = open_port(b_name)
    other = {a: b, b: a}
    # frames waiting to be sent OUT of the given socket: deque of (due, frame)
    queues = {a: collections.deque(), b: collections.deque()}
    stats = {"frames": 0, "dropped": 0}

    def stop(signum, frame):
        raise SystemExit(0)

    # real-time priority keeps the delay steady when the CPUs are busy (the loop
    # sleeps in select() between frames; RT throttling still applies)
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(20))
    except (OSError, AttributeError):
        try:
            os.nice(-10)
        except OSError:
            pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    if pidfile:
        tmp = pidfile + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % os.getpid())
        os.replace(tmp, pidfile)  # the pid file appearing means "ready"

    socks = [a, b]
    mono = time.monotonic
    while True:
        now = mono()
        # 1. send everything that is due
        for out, q in queues.items():
            while q and q[0][0] <= now:
                frame = q.popleft()[1]
                try:
                    out.send(frame)
                    stats["frames"] += 1
                except OSError:
                    stats["dropped"] += 1  # like a full TX ring: the frame is lost
        # 2. wait for input or for the next due frame
        due = [q[0][0] for q in queues.values() if q]
        timeout = max(0.0, min(due) - mono()) if due else None
        readable, _, _ = select.select(socks, [], [], timeout)
        t_in = mono()
        for s in readable:
            q = queues[other[s]]
            while True:
                try:
                    frame, addr = s.recvfrom(65536)
                except BlockingIOError:
                    break
                except InterruptedError:
                    continue
                except OSError:
                    # ENETDOWN & co: interface (or its peer) went down; the
                    # pending error is consumed by this call, carry on.
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue  # our own transmissions
                q.append((t_in + delay, frame))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--a", required=True)
    r.add_argument("--b", required=True)
    r.add_argument("--delay-ms", type=float, required=True)
    r.add_argument("--pidfile")
    o = sub.add_parser("offload-off")
    o.add_argument("ifnames", nargs="+")
    args = p.parse_args()
    if args.cmd == "run":
        run(args.a, args.b, args.delay_ms, args.pidfile)
    else:
        offload_off(args.ifnames)


if __name__ == "__main__":
    main()
