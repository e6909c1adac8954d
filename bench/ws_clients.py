"""Websocket clients for bench/api.py, spread over a few processes so that reading 5,000
sockets is not the bottleneck being measured.

Each process connects its share of clients and says "ready"; it records the arrival time of
every `bench.ping` event (payload {"r": round}), says ("round", r) when each of its clients has
round r, and on ("stop", rounds) hands back what it recorded.
"""

import asyncio
import json
import multiprocessing
import multiprocessing.connection
import time
from collections import Counter
from dataclasses import dataclass, field

import websockets

CONNECT_CONCURRENCY = 50


@dataclass
class Arrivals:
    times: list[tuple[int, float]] = field(default_factory=list)  # (round, arrival time)
    missing: int = 0  # pings expected but not received
    duplicates: int = 0


async def _run(ws_url: str, tokens: list[str],
               pipe: multiprocessing.connection.Connection) -> Arrivals:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def open_one(token: str) -> websockets.ClientConnection:
        async with gate:
            return await websockets.connect(f"{ws_url}/ws/events?token={token}",
                                            open_timeout=120, max_queue=None, ping_interval=None)

    connections = await asyncio.gather(*(open_one(t) for t in tokens))
    pipe.send("ready")
    result = Arrivals()
    seen: list[set[int]] = [set() for _ in connections]
    per_round: Counter[int] = Counter()

    async def receive(index: int, connection: websockets.ClientConnection) -> None:
        while True:
            text = await connection.recv()
            arrived = time.time()
            event = json.loads(text)
            if event["type"] != "bench.ping":
                continue
            round_ = event["payload"]["r"]
            if round_ in seen[index]:
                result.duplicates += 1
                continue
            seen[index].add(round_)
            result.times.append((round_, arrived))
            per_round[round_] += 1
            if per_round[round_] == len(connections):
                pipe.send(("round", round_))

    readers = [asyncio.create_task(receive(i, c)) for i, c in enumerate(connections)]
    _, rounds = await asyncio.get_running_loop().run_in_executor(None, pipe.recv)  # "stop"
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*(c.close() for c in connections), return_exceptions=True)
    result.missing = sum(rounds - len(s) for s in seen)
    return result


def _process(ws_url: str, tokens: list[str], pipe: multiprocessing.connection.Connection
             ) -> None:
    pipe.send(asyncio.run(_run(ws_url, tokens, pipe)))


class ClientFleet:
    """`len(tokens)` websocket clients in `processes` processes."""

    def __init__(self, ws_url: str, tokens: list[str], processes: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipes: list[multiprocessing.connection.Connection] = []
        self.processes = []
        for index in range(processes):
            parent, child = context.Pipe()
            process = context.Process(target=_process, daemon=True,
                                      args=(ws_url, tokens[index::processes], child))
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
        for process in self.processes:
            process.join(10)
        return merged
