/**
 * The scheduler benchmark (`deno task bench`): the simulator's event rate
 * against a bare priority-queue event loop doing exactly as many events per
 * iteration. The goal is at least half the bare loop's rate.
 *
 * The baseline keeps one entry in flight, like ping-pong; gossip keeps 100,
 * so it is also shown against a bare loop with 100 in flight (a bigger heap
 * is slower, and that part of the cost is the queue's, not the simulator's).
 * `scheduler_ratio.ts` prints both ratios and fails below a third.
 *
 * Only `sim.run` is timed; building the simulation is setup.
 *
 * @module
 */

import {
  BareLoop,
  BENCH_EVENTS,
  GOSSIP_NODES,
  gossipSim,
  pingPongSim,
  runEvents,
} from "./scheduler_workloads.ts";

// Measure what each simulated workload really handles, and make the bare
// loops do the same number: a ratio over different amounts of work means nothing.
const pingPongEvents = runEvents(pingPongSim(1), BENCH_EVENTS);
const gossipEvents = runEvents(gossipSim(1), BENCH_EVENTS);
if (pingPongEvents !== gossipEvents) {
  throw new Error(`event counts differ: ping-pong ${pingPongEvents}, gossip ${gossipEvents}`);
}
const EVENTS = pingPongEvents;
let seed = 0;

Deno.bench({
  name: "scheduler: bare priority-queue loop, 1 in flight",
  group: "scheduler",
  baseline: true,
  fn(b) {
    const loop = new BareLoop(++seed, 1);
    b.start();
    const n = loop.run(EVENTS);
    b.end();
    if (n !== EVENTS) throw new Error(`bare loop did ${n} events, not ${EVENTS}`);
  },
});

Deno.bench({
  name: `scheduler: bare priority-queue loop, ${GOSSIP_NODES} in flight`,
  group: "scheduler",
  fn(b) {
    const loop = new BareLoop(++seed, GOSSIP_NODES);
    b.start();
    const n = loop.run(EVENTS);
    b.end();
    if (n !== EVENTS) throw new Error(`bare loop did ${n} events, not ${EVENTS}`);
  },
});

Deno.bench({
  name: "scheduler: 2-node ping-pong",
  group: "scheduler",
  fn(b) {
    const sim = pingPongSim(++seed);
    b.start();
    const n = runEvents(sim, EVENTS);
    b.end();
    if (n !== EVENTS) throw new Error(`ping-pong did ${n} events, not ${EVENTS}`);
  },
});

Deno.bench({
  name: `scheduler: ${GOSSIP_NODES}-node random gossip`,
  group: "scheduler",
  fn(b) {
    const sim = gossipSim(++seed);
    b.start();
    const n = runEvents(sim, EVENTS);
    b.end();
    if (n !== EVENTS) throw new Error(`gossip did ${n} events, not ${EVENTS}`);
  },
});
