#!/usr/bin/env python3
"""The gossip workload of tests/bench/scheduler_workloads.ts (gossipSim) in SimPy.

100 nodes; each starts one rumour to a random peer (never itself); every node
that receives a message forwards it to one random peer; every message takes a
latency drawn uniformly from 1 to 10 ms. The run stops after N events, counted
as dsim counts them: the 100 starts plus every delivery. Only the run is timed,
not building the nodes.

Two ways to write it in SimPy, both printed:

- ``store``: the idiomatic actor form, as dsim's actors are: each node is a
  process that waits on its mailbox (a ``simpy.Store``); a send is a timeout
  whose callback puts the message in the receiver's mailbox.
- ``callback``: the least SimPy can do: a send is a timeout whose callback
  handles the delivery directly (no processes, no mailboxes).

Usage::

    python3 tests/bench/simpy_gossip.py                     # 100,000 and 200,000 events, 5 warm runs
    python3 tests/bench/simpy_gossip.py --events 200000 --warm 3 --json

Each line gives the first run of this process (a fresh process: what a fresh
``deno run`` is compared with) and the best and median of the warm runs after
it. Where SimPy is not installed it prints one line saying so and exits 0
(Debian: ``apt-get install python3-simpy3``, for the system ``/usr/bin/python3``;
elsewhere ``pip install simpy``).
"""

import argparse
import json
import random
import statistics
import sys
import time

try:
    import simpy
except ImportError:
    print(
        "SimPy is not installed for " + sys.executable + ": nothing measured "
        "(pip install simpy, or apt-get install python3-simpy3 for /usr/bin/python3)"
    )
    sys.exit(0)

NODES = 100
LAT_MIN, LAT_MAX = 1.0, 10.0


def peer(rng, frm):
    """A random node other than ``frm``."""
    to = rng.randrange(NODES - 1)
    return to + 1 if to >= frm else to


def run_store(events, seed):
    """Nodes as processes with mailboxes; returns (events handled, seconds)."""
    env = simpy.Environment()
    rng = random.Random(seed)
    boxes = [simpy.Store(env) for _ in range(NODES)]
    done = env.event()
    count = [0]

    def send(frm, hops):
        to = peer(rng, frm)
        t = env.timeout(rng.uniform(LAT_MIN, LAT_MAX), (frm, hops))
        t.callbacks.append(lambda ev, box=boxes[to]: box.put(ev.value))

    def node(i):
        count[0] += 1  # the start event
        send(i, 0)
        box = boxes[i]
        while True:
            _frm, hops = yield box.get()
            count[0] += 1
            if count[0] >= events:
                if not done.triggered:
                    done.succeed()
                return
            send(i, hops + 1)

    for i in range(NODES):
        env.process(node(i))
    t0 = time.perf_counter()
    env.run(until=done)
    return count[0], time.perf_counter() - t0


def run_callback(events, seed):
    """Deliveries as timeout callbacks; returns (events handled, seconds)."""
    env = simpy.Environment()
    rng = random.Random(seed)
    done = env.event()
    count = [0]

    def send(frm, hops):
        t = env.timeout(rng.uniform(LAT_MIN, LAT_MAX), (peer(rng, frm), hops))
        t.callbacks.append(deliver)

    def deliver(ev):
        to, hops = ev.value
        count[0] += 1
        if count[0] >= events:
            if not done.triggered:
                done.succeed()
            return
        send(to, hops + 1)

    for i in range(NODES):
        count[0] += 1  # the start event
        send(i, 0)
    t0 = time.perf_counter()
    env.run(until=done)
    return count[0], time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", default="100000,200000", help="comma-separated event counts")
    ap.add_argument("--warm", type=int, default=5, help="warm runs after the first")
    ap.add_argument("--mode", default="store,callback", help="store, callback or both")
    ap.add_argument("--json", action="store_true", help="one JSON object per line")
    args = ap.parse_args()
    runners = {"store": run_store, "callback": run_callback}
    for n in [int(x) for x in args.events.split(",")]:
        for mode in args.mode.split(","):
            first = None
            warm = []
            for k in range(1 + args.warm):
                handled, secs = runners[mode](n, 1 + k)
                rate = handled / secs
                if first is None:
                    first = rate
                else:
                    warm.append(rate)
            out = {
                "simpy": simpy.__version__,
                "python": sys.version.split()[0],
                "mode": mode,
                "events": n,
                "first": first,
                "warmBest": max(warm) if warm else None,
                "warmMedian": statistics.median(warm) if warm else None,
            }
            if args.json:
                print(json.dumps(out))
            else:
                warm_text = (
                    f", warm best {out['warmBest'] / 1e6:.3f} M/s, median {out['warmMedian'] / 1e6:.3f} M/s"
                    if warm
                    else ""
                )
                print(
                    f"SimPy {out['simpy']} (Python {out['python']}) gossip {mode:8s} {n:>8} events: "
                    f"first run {first / 1e6:.3f} M events/s{warm_text}"
                )


if __name__ == "__main__":
    main()
