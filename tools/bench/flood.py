#!/usr/bin/env python3
"""Slow and idle clients against a running `recur serve`, and what a well-behaved client sees.

Opens CONNECTIONS connections from --from (127.0.0.2 by default) that either send a request
head one byte a second and never finish it (--mode slow) or send nothing at all (--mode idle),
reopening any the server closes, and meanwhile a well-behaved client on 127.0.0.1 asks for
GET /v1/plans and GET /v1/payers/{id}/entitlements/{feature} one after another for --seconds.
Prints one line of JSON: the latencies' p50 and p99 in ms per path, the requests answered, the
requests that got no answer within --timeout, and the flood connections held at the end.
Only loopback addresses are used.
"""
import argparse
import asyncio
import http.client
import json
import statistics
import threading
import time


async def hold(port, source, mode, stop):
    head = b"GET /v1/plans HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 4096 + b"\r\n\r\n"
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port,
                                                           local_addr=(source, 0))
        except OSError:
            await asyncio.sleep(1)
            continue
        try:
            sent = 0
            while not stop.is_set():
                if mode == "slow":
                    writer.write(head[sent:sent + 1])
                    sent = (sent + 1) % len(head)
                    await writer.drain()
                try:
                    if await asyncio.wait_for(reader.read(65536), 1.0) == b"":
                        break  # closed by the server: reopen
                except asyncio.TimeoutError:
                    pass
        except OSError:
            pass
        finally:
            writer.close()


def measure(port, key, payer, seconds, timeout, results):
    paths = {"plans": "/v1/plans",
             "entitlement": f"/v1/payers/{payer}/entitlements/projects"}
    latencies = {name: [] for name in paths}
    unanswered = {name: 0 for name in paths}
    deadline = time.monotonic() + seconds
    connection = None
    while time.monotonic() < deadline:
        for name, path in paths.items():
            started = time.monotonic()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                                            source_address=("127.0.0.1", 0))
                connection.request("GET", path, headers={"Authorization": "Bearer " + key})
                answer = connection.getresponse()
                answer.read()
                if answer.status != 200:
                    raise RuntimeError(f"{path}: {answer.status}")
                latencies[name].append((time.monotonic() - started) * 1000)
            except Exception:
                unanswered[name] += 1
                connection = None
    results.update(latencies=latencies, unanswered=unanswered)


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p / 100))], 3)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--payer", required=True)
    parser.add_argument("--mode", choices=["slow", "idle"], required=True)
    parser.add_argument("--connections", type=int, default=300)
    parser.add_argument("--from", dest="source", default="127.0.0.2")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--settle", type=float, default=3, help="seconds to open the flood")
    parser.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args()

    stop = threading.Event()
    holders = [asyncio.create_task(hold(args.port, args.source, args.mode, stop))
               for _ in range(args.connections)]
    await asyncio.sleep(args.settle)
    results = {}
    await asyncio.to_thread(measure, args.port, args.key, args.payer, args.seconds,
                            args.timeout, results)
    stop.set()
    await asyncio.gather(*holders, return_exceptions=True)
    report = {"mode": args.mode, "connections": args.connections}
    for name, values in results["latencies"].items():
        report[name] = {"answered": len(values), "unanswered": results["unanswered"][name],
                        "p50_ms": percentile(values, 50), "p99_ms": percentile(values, 99)}
    print(json.dumps(report))


if __name__ == "__main__":
    asyncio.run(main())
