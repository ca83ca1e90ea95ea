#!/usr/bin/env python3
"""Memory per open connection of `ingressguard serve`.

Opens CONNECTIONS TLS connections to a running server on 127.0.0.1, each of
which completes its handshake and one keep-alive request, and keeps them open
(idle, as the API server's connection pool does). The request is GET /healthz,
or with REVIEW_BYTES a dryRun AdmissionReview of about that size (an Ingress
with a long annotation). Prints the server's RSS
before, with all of them open, and 3 s after they are closed, plus how many
connections the server refused (closed before or at the handshake).

usage: serve_connections.py PID PORT CONNECTIONS [REVIEW_BYTES]
"""
import json
import socket
import ssl
import sys
import time


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def review(size):
    ingress = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": "big", "namespace": "team", "annotations": {"note": "x" * size}},
               "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["a.example.com"], "secretName": "t"}],
                        "rules": [{"host": "a.example.com"}]}}
    body = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                       "request": {"uid": "u", "operation": "CREATE", "dryRun": True, "namespace": "team",
                                   "name": "big", "object": ingress,
                                   "kind": {"group": "networking.k8s.io", "version": "v1", "kind": "Ingress"},
                                   "resource": {"group": "networking.k8s.io", "version": "v1",
                                                "resource": "ingresses"}}}).encode()
    return (b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)


def main():
    pid, port, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    request = review(int(sys.argv[4])) if len(sys.argv) > 4 else b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    before = rss_kb(pid)
    conns, refused, first = [], 0, []
    for _ in range(count):
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        try:
            s = ctx.wrap_socket(raw, server_hostname="ingressguard.ingressguard.svc")
            t0 = time.perf_counter()
            s.sendall(request)
            reply = s.recv(4096)
            first.append((time.perf_counter() - t0) * 1000)
            if b" 200 " not in reply:
                raise OSError("no answer")
            conns.append(s)
        except (OSError, ssl.SSLError):
            refused += 1
            raw.close()
    time.sleep(1)
    during = rss_kb(pid)
    for s in conns:
        s.close()
    time.sleep(3)
    after = rss_kb(pid)
    open_ = len(conns)
    per = (during - before) / open_ if open_ else 0
    print(f"connections: {open_} open, {refused} refused")
    print(f"server RSS MB: before {before / 1024:.1f}, with them open {during / 1024:.1f}, "
          f"3 s after closing {after / 1024:.1f}")
    print(f"per open connection: {per:.1f} KB")
    if first:
        first.sort()
        print(f"first request on a new connection, ms: median {first[len(first) // 2]:.2f}, "
              f"p90 {first[int(len(first) * 0.9)]:.2f}")


if __name__ == "__main__":
    main()
