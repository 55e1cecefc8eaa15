#!/usr/bin/env python3
"""A wrong-key burst against `recur serve`, and what a well-behaved client sees meanwhile.

Starts RECUR (`recur serve` on a fresh database and a free loopback port) for each measurement
and measures a well-behaved client on 127.0.0.1 asking GET /v1/plans one request after another:
  no burst            the client alone, for --seconds;
  burst, limits off   while --burst requests with a wrong key come from --from (127.0.0.2) over
                      --connections kept-alive connections, the server started with
                      --limit-failed-auth off;
  burst, limits on    the same burst, the server started with --limit-failed-auth LIMIT
                      (--limit, the server's default 20/1m unless given).
The burst runs in a process of its own, so that it does not share an interpreter with the client
it disturbs. Each measurement is repeated --runs times; prints one JSON line per run, then a
table of the medians (p50 and p99 of the client's latency in ms, and the p99 as a multiple of
the p99 without the burst) and what the burst was answered.
Only loopback addresses are used; every run is bounded in time.

usage: tools/bench/wrong_key_burst.py --recur build/recur [--runs 3] [--burst 5000] [--seconds 3]
"""
import argparse
import asyncio
import http.client
import json
import multiprocessing
import os
import statistics
import subprocess
import tempfile
import threading
import time

SECRET_KEY = "sk_test_bench0123456789abcdefghijklmnopqrstuv"
WRONG_KEY = "sk_test_wrong0123456789abcdefghijklmnopqrstu"


def start_recur(recur, plans, folder, extra_args):
    """Starts the server on a fresh database in `folder`; returns (process, port)."""
    log = open(os.path.join(folder, "serve.log"), "w+")
    process = subprocess.Popen(
        [recur, "serve", "--db", os.path.join(folder, "recur.db"), "--plans", plans,
         "--addr", "127.0.0.1:0", *extra_args],
        env={**os.environ, "RECUR_SECRET_KEY": SECRET_KEY},
        stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        log.seek(0)
        for line in log:
            if '"event":"listening"' in line:
                return process, int(json.loads(line)["addr"].rsplit(":", 1)[1])
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    log.seek(0)
    raise RuntimeError("recur serve did not start: " + log.read()[-2000:])


async def burst_connection(port, source, share, statuses):
    request = (f"GET /v1/payers/cpayer_burst HTTP/1.1\r\nHost: x\r\n"
               f"Authorization: Bearer {WRONG_KEY}\r\n\r\n").encode()
    reader = writer = None
    while share > 0:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port,
                                                               local_addr=(source, 0))
            writer.write(request)
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await asyncio.wait_for(reader.readexactly(length), 30)
            statuses[status] = statuses.get(status, 0) + 1
            if b"connection: close" in head.lower():
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError):
            statuses["error"] = statuses.get("error", 0) + 1
            if writer is not None:
                writer.close()
            writer = None
        share -= 1
    if writer is not None:
        writer.close()


def burst(port, source, total, connections, answer):
    """Sends `total` wrong-key requests over `connections` connections from `source`."""
    statuses = {}
    started = time.monotonic()

    async def run():
        shares = [total // connections + (i < total % connections) for i in range(connections)]
        await asyncio.gather(*(burst_connection(port, source, share, statuses)
                               for share in shares))

    asyncio.run(run())
    answer.put({"seconds": round(time.monotonic() - started, 3),
                "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)}})


def measure(port, until):
    """GET /v1/plans one after another on one kept-alive connection until `until()`; latencies
    in ms."""
    latencies = []
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                            source_address=("127.0.0.1", 0))
    while not until():
        started = time.monotonic()
        connection.request("GET", "/v1/plans")
        answer = connection.getresponse()
        answer.read()
        if answer.status != 200:
            raise RuntimeError(f"GET /v1/plans answered {answer.status}")
        latencies.append((time.monotonic() - started) * 1000)
    connection.close()
    return latencies


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def run_once(args, phase, folder):
    extra = []
    if phase == "burst, limits off":
        extra = ["--limit-failed-auth", "off"]
    elif phase == "burst, limits on" and args.limit:
        extra = ["--limit-failed-auth", args.limit]
    process, port = start_recur(args.recur, args.plans, folder, extra)
    try:
        warm_up = time.monotonic() + 0.5
        measure(port, lambda: time.monotonic() > warm_up)  # the server's caches, the client's
        report = {"phase": phase}
        if phase == "no burst":
            end = time.monotonic() + args.seconds
            latencies = measure(port, lambda: time.monotonic() > end)
        else:
            answer = multiprocessing.Queue()
            burster = multiprocessing.Process(
                target=burst, args=(port, args.source, args.burst, args.connections, answer))
            burster.start()
            latencies = measure(port, lambda: not burster.is_alive())
            burster.join()
            report["burst"] = answer.get(timeout=5)
        report.update(samples=len(latencies), p50_ms=round(percentile(latencies, 50), 3),
                      p99_ms=round(percentile(latencies, 99), 3))
        return report
    finally:
        process.terminate()
        process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--recur", required=True, help="the recur binary")
    parser.add_argument("--plans", default="plans")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--burst", type=int, default=5000, help="wrong-key requests per burst")
    parser.add_argument("--connections", type=int, default=32, help="connections of the burst")
    parser.add_argument("--from", dest="source", default="127.0.0.2")
    parser.add_argument("--seconds", type=float, default=3,
                        help="how long the client is measured without the burst")
    parser.add_argument("--limit", default="",
                        help="--limit-failed-auth of the limited server (its default if empty)")
    args = parser.parse_args()

    phases = ["no burst", "burst, limits off", "burst, limits on"]
    reports = {phase: [] for phase in phases}
    for run in range(1, args.runs + 1):
        for phase in phases:
            with tempfile.TemporaryDirectory() as folder:
                report = run_once(args, phase, folder)
            report["run"] = run
            reports[phase].append(report)
            print(json.dumps(report), flush=True)

    baseline = statistics.median(r["p99_ms"] for r in reports["no burst"])
    print(f"\nmedians of {args.runs} runs; the burst: {args.burst} wrong-key requests from "
          f"{args.source} over {args.connections} connections")
    print(f"{'':20} {'p50 ms':>8} {'p99 ms':>8} {'p99 x':>7} {'samples':>8}  burst answered")
    for phase in phases:
        p50 = statistics.median(r["p50_ms"] for r in reports[phase])
        p99 = statistics.median(r["p99_ms"] for r in reports[phase])
        samples = int(statistics.median(r["samples"] for r in reports[phase]))
        answered = ""
        if phase != "no burst":
            seconds = statistics.median(r["burst"]["seconds"] for r in reports[phase])
            answered = f"{reports[phase][-1]['burst']['statuses']} in {seconds} s (median)"
        print(f"{phase:20} {p50:8.3f} {p99:8.3f} {p99 / baseline:7.2f} {samples:8}  {answered}")


if __name__ == "__main__":
    main()
