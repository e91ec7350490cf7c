/**
 * Small scenarios for the exhaustive checker's tests (`check_test.ts`,
 * `check_cli_test.ts`): each shows one thing the checker must get right.
 *
 * @module
 */

import type { Actor, NodeId } from "../actors/mod.ts";
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
]);
