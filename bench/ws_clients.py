"""Websocket clients for bench/api.py, spread over a few processes, kept cheap so that what is
measured is the server, not the reading of 5,000 sockets.

Each client is a bare asyncio protocol on uvloop (when installed): an HTTP upgrade written by
hand, then server frames (never masked, no extensions offered, so no compression) cut out of
the byte stream; a bench ping's round is found by a byte search, not by parsing JSON. The
server's keepalive pings are answered (unanswered, uvicorn drops every client after ~40 s,
the likely cause of the loaded run that lost two thirds of its deliveries). Arrival
times are time.monotonic() (CLOCK_MONOTONIC, one clock for every process of the machine),
taken once per read of the socket. Each process reports the CPU seconds it used while the
bursts ran, so the bench says how much of the machine the clients took.

A process connects its share of clients and says "ready"; it says ("round", r) when each of its
clients has round r, and on ("stop", rounds) hands back what it recorded.
"""

import asyncio
import base64
import multiprocessing
import multiprocessing.connection
import os
import resource
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import urlsplit

CONNECT_CONCURRENCY = 50
ROUND_MARK = b'"payload":{"r":'


@dataclass
class Arrivals:
    times: list[tuple[int, float]] = field(default_factory=list)  # (round, monotonic arrival)
    missing: int = 0  # pings expected but not received
    duplicates: int = 0
    client_cpu_s: float = 0.0  # CPU the client processes used from "ready" to "stop"
    closed_by_server: int = 0  # close frames received


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class LeanClient(asyncio.Protocol):
    """One websocket: the upgrade, then text frames of bench pings counted by round."""

    def __init__(self, on_round: "RoundCounter", mark: bytes = ROUND_MARK) -> None:
        self.on_round = on_round
        self.mark = mark
        self.buffer = bytearray()
        self.upgraded = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.seen: set[int] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast('asyncio.Transport', transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        arrived = time.monotonic()
        buffer = self.buffer
        buffer += data
        if not self.upgraded.done():
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buffer[:buffer.find(b"\r\n")])
            del buffer[:end + 4]
            if b" 101 " not in status:
                self.upgraded.set_exception(ConnectionError(status.decode(errors="replace")))
                return
            self.upgraded.set_result(None)
        while len(buffer) >= 2:
            length, start = buffer[1] & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, start = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, start = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < start + length:
                return
            opcode = buffer[0] & 0x0F
            if opcode == 0x1:
                mark = buffer.find(self.mark, start, start + length)
                if mark >= 0:
                    digits = stop = mark + len(self.mark)
                    while stop < start + length and 0x30 <= buffer[stop] <= 0x39:
                        stop += 1
                    self._ping(int(buffer[digits:stop]), arrived)
            elif opcode == 0x8:
                self.on_round.closed += 1
            elif opcode == 0x9 and self.transport is not None:
                # uvicorn closes a socket whose ping is not answered in ws_ping_timeout (20 s):
                # a pong, masked as a client's frames must be (a zero key: payload as is)
                payload = bytes(buffer[start:start + length])
                self.transport.write(bytes((0x8A, 0x80 | len(payload), 0, 0, 0, 0)) + payload)
            del buffer[:start + length]

    def _ping(self, round_: int, arrived: float) -> None:
        if round_ in self.seen:
            self.on_round.result.duplicates += 1
            return
        self.seen.add(round_)
        self.on_round.arrived(round_, arrived)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.upgraded.done():
            self.upgraded.set_exception(exc or ConnectionError("closed during the upgrade"))


class RoundCounter:
    def __init__(self, clients: int, pipe: multiprocessing.connection.Connection) -> None:
        self.clients, self.pipe = clients, pipe
        self.result = Arrivals()
        self.per_round: Counter[int] = Counter()
        self.closed = 0

    def arrived(self, round_: int, at: float) -> None:
        self.result.times.append((round_, at))
        self.per_round[round_] += 1
        if self.per_round[round_] == self.clients:
            self.pipe.send(("round", round_))


async def _open(ws_url: str, token: str, counter: RoundCounter, path: str, mark: bytes
                ) -> LeanClient:
    parts = urlsplit(ws_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    loop = asyncio.get_running_loop()
    transport, client = await loop.create_connection(lambda: LeanClient(counter, mark), host,
                                                     port)
    client.transport = transport  # uvloop may call connection_made after this returns
    key = base64.b64encode(os.urandom(16)).decode()
    transport.write((f"GET {path}?token={token} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
                            ).encode())
    await asyncio.wait_for(client.upgraded, 120)
    return client


async def _run(ws_url: str, tokens: list[str], pipe: multiprocessing.connection.Connection,
               path: str, mark: bytes) -> Arrivals:
    counter = RoundCounter(len(tokens), pipe)
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def open_one(token: str) -> LeanClient:
        async with gate:
            return await _open(ws_url, token, counter, path, mark)

    clients = await asyncio.gather(*(open_one(t) for t in tokens))
    cpu_at_ready = _cpu_s()
    pipe.send("ready")
    _, rounds = await asyncio.get_running_loop().run_in_executor(None, pipe.recv)  # "stop"
    counter.result.client_cpu_s = _cpu_s() - cpu_at_ready
    for client in clients:
        if client.transport is not None:
            client.transport.close()
    counter.result.missing = sum(rounds - len(c.seen) for c in clients)
    counter.result.closed_by_server = counter.closed
    return counter.result


def _process(ws_url: str, tokens: list[str], pipe: multiprocessing.connection.Connection,
             path: str, mark: bytes) -> None:
    try:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:
        pass
    pipe.send(asyncio.run(_run(ws_url, tokens, pipe, path, mark)))


class ClientFleet:
    """`len(tokens)` websocket clients in `processes` processes, on `path` (the events stream
    by default); a message is a round's ping where `mark` is followed by the round's digits."""

    def __init__(self, ws_url: str, tokens: list[str], processes: int,
                 path: str = "/ws/events", mark: bytes = ROUND_MARK) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipes: list[multiprocessing.connection.Connection] = []
        self.processes = []
        for index in range(processes):
            parent, child = context.Pipe()
            process = context.Process(target=_process, daemon=True,
                                      args=(ws_url, tokens[index::processes], child, path,
                                            mark))
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def wait_ready(self, timeout: float = 600) -> None:
        for pipe in self.pipes:
            if not pipe.poll(timeout) or pipe.recv() != "ready":
                raise RuntimeError("websocket clients did not connect")

    def wait_round(self, round_: int, timeout: float) -> bool:
        """True when every client has this round's ping (False on timeout)."""
        deadline = time.monotonic() + timeout
        for pipe in self.pipes:
            while True:
                if not pipe.poll(max(0.0, deadline - time.monotonic())):
                    return False
                if pipe.recv() == ("round", round_):
                    break
        return True

    def collect(self, rounds: int) -> Arrivals:
        """Stop the clients; what they received of `rounds` rounds."""
        for pipe in self.pipes:
            pipe.send(("stop", rounds))
        merged = Arrivals()
        for pipe in self.pipes:
            result = pipe.recv()
            while not isinstance(result, Arrivals):  # late ("round", r) notes
                result = pipe.recv()
            merged.times += result.times
            merged.missing += result.missing
            merged.duplicates += result.duplicates
            merged.client_cpu_s += result.client_cpu_s
            merged.closed_by_server += result.closed_by_server
        for process in self.processes:
            process.join(10)
        return merged
