/**
 * Small scenarios for the exhaustive checker's tests (`check_test.ts`,
 * `check_cli_test.ts`): each shows one thing the checker must get right.
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../actors/mod.ts";
import { defineScenario, flag, nodeIds, ScenarioRegistry } from "../sim/scenario.ts";

type AskMsg = { type: "request" } | { type: "reply" };
type AskTimer = { type: "timeout" };

/**
 * A client asks a server and gives up after 100 ms; the server answers at
 * once over a 1..10 ms link, so the answer always comes first. The invariant
 * says the client never gives up. Under strict timing it holds in every
 * run; when timers may fire at any moment (`--timing any`, Stateright's and
 * DSLabs' model) the timeout can beat the answer: the two answers differ.
 *
 * @example
 * ```ts
 * import { timeoutRace } from "./_check_scenarios.ts";
 * import { runScenario } from "../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(timeoutRace, { seed: 3 }).ok, true);
 * ```
 */
export const timeoutRace = defineScenario({
  name: "timeout-race",
  summary:
    "a 100 ms timeout against a reply over a 1..10 ms link: never fires, unless timing is ignored",
  defaults: { nodes: 2, minNodes: 2, maxNodes: 2, until: 1000 },
  setup(sim) {
    let gaveUp = false;
    sim.spawn("client", (): Actor<AskMsg, AskTimer> & { inspect(): unknown } => {
      let answered = false;
      return {
        onStart(ctx) {
          ctx.send("server", { type: "request" });
          ctx.setTimer({ type: "timeout" }, 100);
        },
        onMessage(ctx, msg) {
          if (msg.type !== "reply") return;
          answered = true;
          ctx.cancelTimer({ type: "timeout" });
          ctx.sometimes("answered", true);
        },
        onTimer() {
          if (!answered) gaveUp = true;
        },
        inspect: () => ({ answered, gaveUp }),
      };
    });
    sim.spawn("server", (): Actor<AskMsg> & { inspect(): unknown } => ({
      onMessage(ctx, msg, from) {
        if (msg.type === "request") ctx.send(from, { type: "reply" });
      },
      inspect: () => ({}),
    }));
    sim.invariant("never-gives-up", () => !gaveUp || "the client gave up before the reply came");
    return { inspect: () => gaveUp };
  },
});

type VoteMsg = { type: "vote"; yes: boolean };

/**
 * Voters that each send one vote (their own `yes`, fixed by their number's
 * parity) to a collector, which keeps them by voter; interchangeable voters
 * when they all vote alike (`--alike`), declared as such: symmetry reduction
 * counts the orders in which equal votes arrive as one state each.
 *
 * @example
 * ```ts
 * import { votes } from "./_check_scenarios.ts";
 * import { runScenario } from "../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(votes, { seed: 1 }).sim.nodes.length, 4);
 * ```
 */
export const votes = defineScenario({
  name: "votes",
  summary: "voters send a vote each to a collector (interchangeable voters)",
  defaults: { nodes: 3, minNodes: 1, maxNodes: 6, until: 1000 },
  flags: {
    alike: flag.bool("every voter votes yes (so the voters are interchangeable)", true),
    random: flag.bool("voters draw a random number (which makes them distinguishable)", false),
  },
  setup(sim, params) {
    const voters = nodeIds(params.nodes, "v");
    voters.forEach((id, i) => {
      sim.spawn(id, (): Actor<VoteMsg> & { inspect(): unknown } => ({
        onStart(ctx) {
          if (params.flags.random) ctx.random();
          ctx.send("collector", { type: "vote", yes: params.flags.alike || i % 2 === 0 });
        },
        onMessage() {},
        inspect: () => ({}),
      }));
    });
    sim.spawn("collector", (): Actor<VoteMsg> & { inspect(): unknown } => {
      const got: Record<NodeId, boolean> = {};
      return {
        onMessage(ctx, msg, from) {
          got[from] = msg.yes;
          ctx.sometimes("all-voted", Object.keys(got).length === voters.length);
          ctx.sometimes("a-no-vote", !msg.yes);
        },
        inspect: () => ({ ...got }),
      };
    });
    return {};
  },
  symmetric: (params) => params.flags.alike ? [nodeIds(params.nodes, "v")] : [],
});

type TokenMsg = { type: "token" };

/**
 * A node passes a token to a peer and waits for it back (ticking while it
 * waits), with no retry: a crash of the peer, or a network split while the
 * token is on its way (the scenario's fault model allows both), loses the
 * token for good. Liveness says the token comes
 * back: after such a crash it is stuck where the run ends, and with timers
 * free to fire at any moment the ticks go round in a loop without it.
 *
 * @example
 * ```ts
 * import { token } from "./_check_scenarios.ts";
 * import { runScenario } from "../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(token, { seed: 1, faults: "" }).ok, true);
 * ```
 */
export const token = defineScenario({
  name: "token",
  summary: "a token passed to a peer and back, without retries: a crash loses it",
  defaults: {
    nodes: 2,
    minNodes: 2,
    maxNodes: 2,
    until: 500,
    faults: "random:crash=1,partition=1",
  },
  setup(sim) {
    let back = false;
    sim.spawn("n1", (): Actor<TokenMsg> & { inspect(): unknown } => ({
      onStart: (ctx) => {
        ctx.send("n2", { type: "token" });
        ctx.setTimer("tick", 50);
      },
      onMessage() {
        back = true;
      },
      // It only waits: a tick that changes nothing, again and again.
      onTimer: (ctx) => ctx.setTimer("tick", 50),
      inspect: () => ({ back }),
    }));
    sim.spawn("n2", (): Actor<TokenMsg> & { inspect(): unknown } => ({
      onMessage: (ctx, _msg, from) => ctx.send(from, { type: "token" }),
      inspect: () => ({}),
    }));
    return {
      inspect: () => back,
      liveness: [{ name: "token-back", withinMs: 100, holds: () => back || "the token is lost" }],
    };
  },
});

type HelloMsg = { type: "hello" };

/**
 * Two greeters say hello to a listener at the same moment; the listener
 * notes who came first in a field, and a 10 ms timer later finds fault with
 * one order (a planted bug). With `--shown none` the listener has no
 * `inspect()`: the checker cannot fingerprint it and searches statelessly,
 * every path its own. With `--shown count` its `inspect()` shows how many
 * greeted but not in what order, so the two orders count as one state and
 * the bug can hide behind the order tried first; `--shown all` shows the
 * order too.
 *
 * @example
 * ```ts
 * import { greeters } from "./_check_scenarios.ts";
 * import { runScenario } from "../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(greeters, { seed: 1 }).sim.nodes.length, 3);
 * ```
 */
export const greeters = defineScenario({
  name: "greeters",
  summary: "two hellos at one instant; one order is a planted bug (the order may be hidden)",
  defaults: {
    nodes: 3,
    minNodes: 3,
    maxNodes: 3,
    until: 100,
    network: { latency: { kind: "fixed", ms: 1 } },
  },
  flags: {
    shown: flag.choice(
      "what the listener's inspect() shows",
      ["none", "count", "all"] as const,
      "none",
    ),
  },
  setup(sim, params) {
    let wrong = false;
    for (const id of ["g1", "g2"]) {
      sim.spawn(id, (): Actor<HelloMsg> & { inspect(): unknown } => ({
        onStart: (ctx) => ctx.send("listener", { type: "hello" }),
        onMessage() {},
        inspect: () => ({}),
      }));
    }
    sim.spawn("listener", (): Actor<HelloMsg> => {
      const heard: NodeId[] = [];
      const actor: Actor<HelloMsg> & { inspect?(): unknown } = {
        onMessage(ctx, _msg, from) {
          heard.push(from);
          if (heard.length === 2) ctx.setTimer("judge", 10);
        },
        onTimer() {
          if (heard[0] === "g2") wrong = true;
        },
      };
      if (params.flags.shown === "count") actor.inspect = () => heard.length;
      if (params.flags.shown === "all") actor.inspect = () => [...heard];
      return actor;
    });
    sim.invariant("g1-first", () => !wrong || "g2 greeted first");
    return {};
  },
});

type WriteMsg =
  | { type: "write"; id: number }
  | { type: "written"; id: number }
  | { type: "replicate"; id: number }
  | { type: "ack"; id: number };
type RetryTimer = { type: "retry" };

/**
 * A primary-backup write (adapted from a new user's protocol): a client
 * writes `1..ops` one at a time to the primary `n1`, retrying every 50 ms;
 * the primary keeps each write on disk, sends it to the backup `n2` every
 * 30 ms until the backup, which keeps it on disk too, acknowledges it, and
 * then answers the client. It survives a crash of either server or a
 * network split, which the scenario's faults allow, as long as the run goes
 * on after the last one (`recoverMs`, 200 ms; `--recover-ms 0` grants no
 * time, and a repair at the very end leaves writes unfinished). The end-of-run check `all-done` demands that the client
 * finished every write. Planted bug (`--resend false`): the primary sends
 * each write to the backup once, so a write the backup was down for never
 * completes.
 *
 * @example
 * ```ts
 * import { primaryBackup } from "./_check_scenarios.ts";
 * import { runScenario } from "../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(primaryBackup, { seed: 1, faults: "@5 crash n2; @100 restart n2" }).ok, true);
 * ```
 */
export const primaryBackup = defineScenario({
  name: "primary-backup",
  summary: "a client's writes, replicated to a backup that may crash: all done by the end",
  defaults: { nodes: 2, minNodes: 2, maxNodes: 2, until: 600, faults: "random" },
  flags: {
    ops: flag.int("writes the client makes", 1, { min: 1, max: 3 }),
    resend: flag.bool("the primary resends a write until the backup has it (false: the bug)", true),
    "recover-ms": flag.int("time the run goes on after the last fault", 200, { min: 0 }),
  },
  setup(sim, params) {
    const { ops, resend } = params.flags;
    const done = () => sim.storage("c1").get<number>("done") ?? 0;
    sim.spawn("n1", (): Actor<WriteMsg, RetryTimer> & { inspect(): unknown } => {
      const replicate = (ctx: Context<WriteMsg, RetryTimer>) => {
        const id = ctx.storage.get<number>("pending");
        if (id === undefined) return;
        ctx.send("n2", { type: "replicate", id });
        if (resend) ctx.setTimer({ type: "retry" }, 30);
      };
      return {
        onStart: replicate,
        onMessage(ctx, msg) {
          const last = ctx.storage.get<number>("last") ?? 0;
          if (msg.type === "write" && msg.id === last + 1) {
            ctx.storage.set("last", msg.id);
            ctx.storage.set("pending", msg.id);
            replicate(ctx);
          } else if (msg.type === "write" && msg.id <= last) {
            if (ctx.storage.get("pending") !== msg.id) {
              ctx.send("c1", { type: "written", id: msg.id });
            }
          } else if (msg.type === "ack" && ctx.storage.get("pending") === msg.id) {
            ctx.storage.delete("pending");
            ctx.cancelTimer({ type: "retry" });
            ctx.send("c1", { type: "written", id: msg.id });
          }
        },
        onTimer: replicate,
        inspect: () => ({}),
      };
    });
    sim.spawn("n2", (): Actor<WriteMsg> & { inspect(): unknown } => ({
      onMessage(ctx, msg, from) {
        if (msg.type !== "replicate") return;
        ctx.storage.set(`log/${msg.id}`, true);
        ctx.send(from, { type: "ack", id: msg.id });
      },
      inspect: () => ({}),
    }));
    sim.spawn("c1", (): Actor<WriteMsg, RetryTimer> & { inspect(): unknown } => {
      const write = (ctx: Context<WriteMsg, RetryTimer>) => {
        const id = (ctx.storage.get<number>("done") ?? 0) + 1;
        if (id > ops) return;
        ctx.send("n1", { type: "write", id });
        ctx.setTimer({ type: "retry" }, 50);
      };
      return {
        onStart: write,
        onMessage(ctx, msg) {
          if (msg.type !== "written" || msg.id !== done() + 1) return;
          ctx.storage.set("done", msg.id);
          ctx.cancelTimer({ type: "retry" });
          write(ctx);
        },
        onTimer: write,
        inspect: () => ({}),
      };
    });
    return {
      faultTargets: ["n1", "n2"],
      recoverMs: params.flags["recover-ms"],
      check: () =>
        done() === ops
          ? []
          : [{ check: "all-done", message: `client done ${done()} of ${ops}`, atMs: sim.now }],
    };
  },
});

/**
 * The scenarios above, for the command line's tests.
 *
 * @example
 * ```ts
 * import { scenarios } from "./_check_scenarios.ts";
 * import assert from "node:assert/strict";
 * assert.ok(scenarios.has("timeout-race"));
 * ```
 */
export const scenarios: ScenarioRegistry = new ScenarioRegistry([
  timeoutRace,
  votes,
  token,
  greeters,
  primaryBackup,
]);
