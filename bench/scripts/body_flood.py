#!/usr/bin/env python3
"""Unfinished-body flood against a running `segue serve`: CONNECTIONS clients each send the header of a
BODY-byte POST and all of its body but the last KiB, hold the connections, then close them. Prints the
server's RSS (from /proc/PID/status) before, while they are held, and after they are closed, and how
many connections the server refused (503 or closed) before their body was sent.

    bench/scripts/body_flood.py PID PORT [CONNECTIONS=300] [BODY=8388608]

docs/benchmarks.md ("Memory under unfinished bodies") has the figures and the exact invocation.
"""
import socket
import sys
import time


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def main():
    pid, port = int(sys.argv[1]), int(sys.argv[2])
    connections = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    body = int(sys.argv[4]) if len(sys.argv) > 4 else 8 << 20
    header = (f"POST /v1/events HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
              f"Content-Length: {body}\r\n\r\n").encode()
    chunk = b" " * (1 << 20)
    before = rss_bytes(pid)
    held, refused = [], 0
    for i in range(connections):
        s = socket.create_connection(("127.0.0.1", port))
        s.settimeout(10)
        try:
            s.sendall(header)
            left = body - 1024
            while left > 0:
                n = min(left, len(chunk))
                s.sendall(chunk[:n])
                left -= n
        except OSError:
            refused += 1
        held.append(s)
        if (i + 1) % 50 == 0:
            print(f"body_flood: {i + 1}/{connections} connections, RSS {rss_bytes(pid) / 2**20:.0f} MiB",
                  file=sys.stderr)
    during = rss_bytes(pid)
    for s in held:
        s.close()
    time.sleep(2)
    after = rss_bytes(pid)
    print(f"connections={connections} body_bytes={body} refused_before_body={refused} "
          f"rss_mib_before={before / 2**20:.0f} rss_mib_during={during / 2**20:.0f} "
          f"rss_mib_after={after / 2**20:.0f}")


if __name__ == "__main__":
    main()
