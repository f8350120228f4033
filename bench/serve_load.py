#!/usr/bin/env python3
"""Load benchmark of `emotion-live serve` (make bench-serve), measured in one run on one machine.

1. The headless CLI's rate on a directory of copies of one picture: the per-image rate the
   server is compared with.
2. POST /v1/analyze with 1, 8 and 64 concurrent clients: throughput, p50 and p99 latency,
   errors (503s from the bounded queue are counted apart: they are the server saying "busy").
3. 16 concurrent WebSocket streams on /v1/stream, each sending frames (the small picture, as
   the page sends downscaled frames) at --stream-fps:
   replies per second per stream and frames dropped (the one-frame slot replaces stale ones).
4. The server's resident memory after 100 and after --requests (default 10,000) requests of a
   small picture, which must stay within 10% of each other (no growth per request).

With --burst CLIENTS,PICTURES it measures a burst instead, on a fresh server: CLIENTS clients
start at once, each sending PICTURES pictures one after another and honouring Retry-After on a
503 (sleeping the seconds it says, then sending the same picture again). A picture's wait is
from its first attempt to its answer. Reported: pictures served, 503s, errors, throughput, the
p50/p99/max wait against the fair wait (CLIENTS / throughput: every client one picture in a
first-come first-served queue), the Retry-After values seen, and the server's RSS before and
after.

Only the standard library: an HTTP/1.1 client over http.client and a minimal RFC 6455 client.
Offline tooling: emotion-live never needs Python.

    python3 bench/serve_load.py --bin .build/release/emotion-live --image PICTURE [--json]
    python3 bench/serve_load.py --bin .build/release/emotion-live --image PICTURE --burst 64,10
"""

import argparse
import base64
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class Server:
    """`emotion-live serve --port 0`, its address read from the line it prints on stderr."""

    def __init__(self, binary, workers, queue, extra=()):
        self.process = subprocess.Popen(
            [binary, "serve", "--port", "0", "--workers", str(workers), "--queue", str(queue),
             "--max-clients", "64", "--log-level", "error", *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for line in self.process.stderr:
            match = re.search(r"serving on http://([^:]+):(\d+)", line)
            if match:
                self.host, self.port = match.group(1), int(match.group(2))
                break
        else:
            raise SystemExit("emotion-live serve did not start")
        threading.Thread(target=self.process.stderr.read, daemon=True).start()

    def rss_kb(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        self.process.terminate()
        return self.process.wait(timeout=30)


def post_pictures(server, body, clients, pictures, honour_retry_after, patience=600):
    """`clients` threads released together, each with its own keep-alive connection, POSTing
    `body` `pictures` times in turn. On a 503, honouring Retry-After, a client sleeps the seconds
    it says (whole seconds; 1 when absent) and sends the same picture again, giving up after
    `patience` seconds; otherwise it sleeps 50 ms (what Retry-After asks, shortened: keep the
    queue full) and goes on to the next picture. Returns the waits of the pictures answered 200
    (from a picture's first attempt to its answer), the count of each status ("error": no
    answer), the Retry-After values seen, and the wall time from the release."""
    waits, retry_afters, statuses, lock = [], [], {}, threading.Lock()
    gate = threading.Barrier(clients + 1)

    def client():
        connection = http.client.HTTPConnection(server.host, server.port, timeout=120)
        gate.wait()
        for _ in range(pictures):
            first = time.perf_counter()
            while True:
                try:
                    connection.request("POST", "/v1/analyze", body=body, headers={"Content-Type": "image/jpeg"})
                    response = connection.getresponse()
                    response.read()
                    status, retry = response.status, response.getheader("Retry-After")
                except (OSError, http.client.HTTPException):
                    status, retry = "error", None
                    connection.close()
                    connection = http.client.HTTPConnection(server.host, server.port, timeout=120)
                wait = time.perf_counter() - first
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                if status != 503 or wait > patience:
                    break
                if not honour_retry_after:
                    time.sleep(0.05)
                    break
                seconds = int(retry) if retry and retry.isdigit() else 1
                with lock:
                    retry_afters.append(seconds)
                time.sleep(seconds)
            if status == 200:
                with lock:
                    waits.append(wait)
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    gate.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return waits, statuses, retry_afters, time.perf_counter() - start


def analyze_load(server, body, clients, requests_per_client):
    """`clients` clients POSTing `body` `requests_per_client` times each; a 503 is not retried."""
    latencies, statuses, _, wall = post_pictures(server, body, clients, requests_per_client, honour_retry_after=False)
    ok = statuses.get(200, 0)
    return {
        "clients": clients, "requests": sum(statuses.values()), "ok": ok,
        "throughput_per_s": ok / wall, "p50_s": percentile(latencies, 0.5), "p99_s": percentile(latencies, 0.99),
        "busy_503": statuses.get(503, 0),
        "errors": sum(count for status, count in statuses.items() if status not in (200, 503)),
    }


def burst_load(server, body, clients, pictures, patience=600):
    """`clients` clients at once, each POSTing `body` `pictures` times in turn and honouring
    Retry-After; a picture not answered within `patience` seconds counts as an error."""
    rss_before = server.rss_kb()
    waits, statuses, retry_afters, wall = post_pictures(server, body, clients, pictures, honour_retry_after=True,
                                                        patience=patience)
    served = len(waits)
    throughput = served / wall
    fair = clients / throughput if throughput else float("nan")
    p99 = percentile(waits, 0.99)
    return {
        "clients": clients, "pictures_per_client": pictures, "pictures": clients * pictures, "served": served,
        "busy_503": statuses.get(503, 0),
        "errors": clients * pictures - served,
        "wall_s": wall, "throughput_per_s": throughput,
        "wait_p50_s": percentile(waits, 0.5), "wait_p99_s": p99, "wait_max_s": max(waits, default=float("nan")),
        "fair_wait_s": fair, "p99_over_fair": p99 / fair,
        "retry_after_s": sorted(set(retry_afters)),
        "rss_kb_before": rss_before, "rss_kb_after": server.rss_kb(),
    }


def burst_report(args, body):
    clients, pictures = (int(part) for part in args.burst.split(","))
    extra = ["--max-queue-wait", str(args.max_queue_wait)] if args.max_queue_wait is not None else []
    server = Server(args.bin, args.workers, args.queue, extra)
    report = {"image": args.image, "workers": args.workers, "queue": args.queue, "max_queue_wait": args.max_queue_wait}
    try:
        report["rss_kb_at_start"] = server.rss_kb()
        if args.warm_up:
            analyze_load(server, body, args.workers, args.warm_up)  # pages faulted in, throughput measured
        # Rounds on one server: memory that grows round after round would be a leak, memory
        # that stays where the first round left it is the queue's bound.
        report["bursts"] = [burst_load(server, body, clients, pictures) for _ in range(args.rounds)]
    finally:
        report["shutdown_status"] = server.stop()
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
        return
    print(f"burst: {clients} clients x {pictures} pictures of {os.path.basename(args.image)}, "
          f"honouring Retry-After ({args.workers} workers, --queue {args.queue}"
          + (f", --max-queue-wait {args.max_queue_wait:g}" if args.max_queue_wait is not None else "") + ")")
    print(f"RSS at start {report['rss_kb_at_start'] / 1024:.1f} MB")
    for round, b in enumerate(report["bursts"], 1):
        print(f"round {round}: served {b['served']} of {b['pictures']}, {b['errors']} errors, {b['busy_503']} 503s "
              f"(Retry-After seen: {b['retry_after_s'] or 'none'})")
        print(f"  {b['wall_s']:.1f} s, {b['throughput_per_s']:.2f} pictures/s; wait p50 {b['wait_p50_s']:.2f} s, "
              f"p99 {b['wait_p99_s']:.2f} s, max {b['wait_max_s']:.2f} s; fair wait {b['fair_wait_s']:.2f} s "
              f"(p99 / fair {b['p99_over_fair']:.2f}, target <= 2.5)")
        print(f"  RSS before {b['rss_kb_before'] / 1024:.1f} MB, after {b['rss_kb_after'] / 1024:.1f} MB")
    print(f"SIGTERM: exit {report['shutdown_status']}")


class WebSocket:
    """The client side of RFC 6455, enough for binary frames out and text frames back."""

    def __init__(self, host, port, path):
        self.sock = socket.create_connection((host, port), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise OSError("closed during the handshake")
            head += chunk
        if not head.startswith(b"HTTP/1.1 101"):
            raise OSError(head.split(b"\r\n")[0].decode())
        self.buffer = head.split(b"\r\n\r\n", 1)[1]

    def send_binary(self, payload):
        mask = os.urandom(4)
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x82, 0x80 | length)
        elif length < 65536:
            header = struct.pack("!BBH", 0x82, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x82, 0x80 | 127, length)
        # XOR as one big integer: a Python loop per byte would make the client the bottleneck.
        key = (mask * (length // 4 + 1))[:length]
        masked = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(length, "big")
        self.sock.sendall(header + mask + masked)

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError("closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def receive(self):
        """The next data frame's payload (opcode, bytes)."""
        first, second = self._read(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read(8))[0]
        return first & 0x0F, self._read(length)

    def close(self):
        try:
            self.sock.sendall(struct.pack("!BB", 0x88, 0x80) + os.urandom(4))
        except OSError:
            pass
        self.sock.close()


def stream_load(server, frame, streams, seconds, fps):
    """`streams` connections, each sending `frame` at `fps` for `seconds`, reading replies."""
    results, lock = [], threading.Lock()

    def stream():
        ws = WebSocket(server.host, server.port, "/v1/stream")
        sent, replies, dropped, errors = 0, 0, 0, 0
        done = threading.Event()

        def reader():
            nonlocal replies, dropped, errors
            try:
                while True:
                    opcode, payload = ws.receive()
                    if opcode == 8:
                        break
                    reply = json.loads(payload)
                    if "error" in reply:
                        errors += 1
                    else:
                        replies += 1
                        dropped += reply.get("dropped", 0)
            except (OSError, ValueError):
                pass
            done.set()

        thread = threading.Thread(target=reader)
        thread.start()
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            ws.send_binary(frame)
            sent += 1
            time.sleep(max(0.0, start + sent / fps - time.perf_counter()))
        # The frames still in the slot or at a worker are answered after the sending stops.
        settle = time.perf_counter() + 10
        while replies + dropped < sent and time.perf_counter() < settle and not done.is_set():
            time.sleep(0.05)
        ws.close()
        done.wait(10)
        with lock:
            results.append((sent, replies, dropped, errors))

    threads = [threading.Thread(target=stream) for _ in range(streams)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    per_stream = [replies / seconds for _, replies, _, _ in results]
    return {
        "streams": streams, "sent_fps_per_stream": fps,
        "replies_per_s_per_stream_median": statistics.median(per_stream),
        "replies_per_s_total": sum(per_stream),
        "frames_sent": sum(r[0] for r in results), "frames_answered": sum(r[1] for r in results),
        "frames_dropped": sum(r[2] for r in results), "errors": sum(r[3] for r in results),
        "accounted": all(sent == replies + dropped for sent, replies, dropped, _ in results),
    }


def cli_rate(binary, image, copies):
    directory = tempfile.mkdtemp(prefix="emotion-live-bench-serve-")
    try:
        extension = os.path.splitext(image)[1]
        for index in range(copies):
            shutil.copyfile(image, os.path.join(directory, f"{index:04d}{extension}"))
        start = time.perf_counter()
        subprocess.run([binary, directory, "--headless", "--format", "jsonl"], check=True, stdout=subprocess.DEVNULL)
        return copies / (time.perf_counter() - start)
    finally:
        shutil.rmtree(directory)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=".build/release/emotion-live")
    parser.add_argument("--image", required=True, help="picture with faces (JPEG) for the throughput runs")
    parser.add_argument("--small-image", help="picture for the memory run and the streams' frames (default: --image)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queue", type=int, default=16)
    parser.add_argument("--requests", type=int, default=10_000, help="requests of the memory run")
    parser.add_argument("--per-client", type=int, default=40, help="requests per client at each concurrency")
    parser.add_argument("--stream-seconds", type=float, default=10)
    parser.add_argument("--stream-fps", type=float, default=10)
    parser.add_argument("--burst", metavar="CLIENTS,PICTURES",
                        help="only a burst: CLIENTS clients at once, PICTURES each, honouring Retry-After")
    parser.add_argument("--max-queue-wait", type=float, help="passed to serve (default: serve's own)")
    parser.add_argument("--rounds", type=int, default=1, help="with --burst: bursts one after another on one server")
    parser.add_argument("--warm-up", type=int, default=2, metavar="N",
                        help="with --burst: requests per worker before the burst (0: a cold server)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with open(args.image, "rb") as f:
        body = f.read()
    if args.burst:
        if not re.fullmatch(r"[1-9]\d*,[1-9]\d*", args.burst):
            parser.error("--burst takes CLIENTS,PICTURES, two positive integers")
        burst_report(args, body)
        return
    with open(args.small_image or args.image, "rb") as f:
        small = f.read()

    report = {"image": args.image, "workers": args.workers, "queue": args.queue}
    report["cli_images_per_s"] = cli_rate(args.bin, args.image, 40)
    server = Server(args.bin, args.workers, args.queue)
    try:
        analyze_load(server, body, 2, 5)  # warm-up: pages faulted in, sessions planned
        # About the same number of requests at each level (64 clients mostly meet a full queue).
        per_client = {1: args.per_client, 8: max(2, args.per_client // 4), 64: 3}
        report["analyze"] = [analyze_load(server, body, clients, count) for clients, count in per_client.items()]
        two = analyze_load(server, body, args.workers, args.per_client)
        report["analyze_at_workers"] = two
        report["server_vs_cli"] = two["throughput_per_s"] / report["cli_images_per_s"]
        report["streams"] = stream_load(server, small, 16, args.stream_seconds, args.stream_fps)

        analyze_load(server, small, 4, 25)
        rss_100 = server.rss_kb()
        memory_run = analyze_load(server, small, 4, max(1, (args.requests - 100) // 4))
        rss_after = server.rss_kb()
        report["memory"] = {"rss_kb_after_100": rss_100, "rss_kb_after": rss_after, "requests": 100 + memory_run["requests"],
                            "growth": rss_after / rss_100 - 1, "errors": memory_run["errors"]}
    finally:
        report["shutdown_status"] = server.stop()

    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
        return
    print(f"headless CLI: {report['cli_images_per_s']:.2f} images/s ({os.path.basename(args.image)})")
    print("POST /v1/analyze   clients  requests  req/s   p50 s   p99 s  503s  errors")
    for row in report["analyze"] + [two]:
        print(f"                   {row['clients']:7d} {row['requests']:9d} {row['throughput_per_s']:6.2f} "
              f"{row['p50_s']:7.3f} {row['p99_s']:7.3f} {row['busy_503']:5d} {row['errors']:7d}")
    print(f"server at {args.workers} clients / CLI: {report['server_vs_cli']:.2f} (target >= 0.8)")
    s = report["streams"]
    print(f"/v1/stream x{s['streams']} at {s['sent_fps_per_stream']:g} fps sent: {s['replies_per_s_per_stream_median']:.2f} replies/s "
          f"per stream ({s['replies_per_s_total']:.1f} in all), {s['frames_dropped']} of {s['frames_sent']} frames dropped, "
          f"{s['errors']} errors, every frame answered or counted as dropped: {s['accounted']}")
    m = report["memory"]
    print(f"RSS after 100 requests {m['rss_kb_after_100'] / 1024:.1f} MB, after {m['requests']} {m['rss_kb_after'] / 1024:.1f} MB "
          f"({m['growth'] * 100:+.1f}%, target within 10%), {m['errors']} errors")
    print(f"SIGTERM: exit {report['shutdown_status']}")


if __name__ == "__main__":
    main()
