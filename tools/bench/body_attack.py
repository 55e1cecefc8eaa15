#!/usr/bin/env python3
"""Oversized and encoded bodies against a running `recur serve`: what each gets back.

--attack chunked-10mb | chunked-100mb: one chunked body of that size to POST /v1/payers with the
  key; gzip-bomb: a 0.5 MB gzip body unpacking to 512 MiB to POST /v1/payers with the key;
  gzip-1gib-x3: three chunked gzip bodies of 1 GiB each at once to POST /nonexistent without a
  key.
Prints one line of JSON per request: the status answered (or the error that ended it), how many
body bytes were sent, and how long it took. The caller reads the server's peak memory.
Only loopback addresses are used.
"""
import argparse
import json
import os
import socket
import threading
import time
import zlib

MIB = 1 << 20


def gzip_member(data):
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


def bomb():
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MIB)
    parts = [compressor.compress(zeros) for _ in range(512)]
    return b"".join(parts) + compressor.flush()


def send(port, head, pieces, results):
    started = time.monotonic()
    sent = 0
    outcome = None
    try:
        connection = socket.create_connection(("127.0.0.1", port), timeout=60)
        connection.sendall(head)
        for piece in pieces:
            connection.sendall(piece)
            sent += len(piece)
        answer = b""
        while b"\r\n" not in answer:
            data = connection.recv(65536)
            if not data:
                break
            answer += data
        outcome = answer.split(b"\r\n", 1)[0].decode(errors="replace") or "closed, no answer"
    except OSError as error:
        outcome = f"{type(error).__name__}"
        try:  # the answer may be waiting although the body was cut off
            answer = connection.recv(65536)
            if answer.startswith(b"HTTP/"):
                outcome = answer.split(b"\r\n", 1)[0].decode() + f" (after {outcome})"
        except OSError:
            pass
    results.append({"answer": outcome, "body_bytes_sent": sent,
                    "seconds": round(time.monotonic() - started, 3)})


def chunked(total):
    piece = b"%x\r\n" % (64 * 1024) + b" " * (64 * 1024) + b"\r\n"
    for _ in range(total // (64 * 1024)):
        yield piece
    yield b"0\r\n\r\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--attack", required=True,
                        choices=["chunked-10mb", "chunked-100mb", "gzip-bomb", "gzip-1gib-x3"])
    args = parser.parse_args()
    auth = f"Authorization: Bearer {args.key}\r\n".encode()
    results = []
    if args.attack.startswith("chunked"):
        size = (10 if args.attack == "chunked-10mb" else 100) * 1000 * 1000
        head = (b"POST /v1/payers HTTP/1.1\r\nHost: x\r\n" + auth +
                b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        send(args.port, head, chunked(size), results)
    elif args.attack == "gzip-bomb":
        body = bomb()
        head = (b"POST /v1/payers HTTP/1.1\r\nHost: x\r\n" + auth +
                b"Content-Type: application/json\r\nContent-Encoding: gzip\r\n" +
                b"Content-Length: %d\r\n\r\n" % len(body))
        send(args.port, head, [body], results)
    else:
        member = gzip_member(os.urandom(MIB))
        chunk = b"%x\r\n" % len(member) + member + b"\r\n"
        count = (1 << 30) // len(member)
        head = (b"POST /nonexistent HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n")

        def body():
            for _ in range(count):
                yield chunk
            yield b"0\r\n\r\n"

        threads = [threading.Thread(target=send, args=(args.port, head, body(), results))
                   for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for result in results:
        print(json.dumps({"attack": args.attack, **result}))


if __name__ == "__main__":
    main()
