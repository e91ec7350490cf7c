/**
 * The CRDT scenarios: `crdt-counter`, `crdt-lww-set`, `crdt-or-set` and
 * `crdt-text`. Each runs N replicas (`n1` .. `nN`, the fault targets) and a
 * few clients (`c1` .. `cK`, each talking to one replica) that issue random
 * operations during the first 60% of the run, under message loss,
 * duplication, crashes, pauses and partitions.
 *
 * When the run ends, the check repairs every fault and lets the network go
 * quiet (see {@linkcode awaitConvergence}), then judges: did every replica
 * reach the same state (`crdt-convergence`), and is that state what the
 * history of acknowledged operations says it must be (`crdt-value`, see
 * `convergence.ts`)? Both land in `sim run --json` as violations; the
 * summary says how long convergence took after the repair, and for the
 * LWW-Element-Set how many acknowledged adds it lost to concurrent removes.
 *
 * ```sh
 * deno task sim run crdt-counter --seed 4 --replication op
 * deno task sim run crdt-lww-set --skew 100 --json
 * deno task sim run crdt-counter --replication op --broadcast best-effort --loss 0.2
 * ```
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import type { Operation } from "../../sim/history.ts";
import { Random } from "../../sim/random.ts";
import {
  defineScenario,
  type ExploreModel,
  flag,
  type FlagSpecs,
  type FlagValues,
  nodeIds,
  type Scenario,
  type ScenarioParams,
} from "../../sim/scenario.ts";
import type { Simulation, Violation } from "../../sim/simulation.ts";
import { Client, randomWorkload } from "./client.ts";
import {
  awaitConvergence,
  checkCounter,
  checkLwwSet,
  checkOrSet,
  checkText,
  type Convergence,
  counterBounds,
  lwwLostAdds,
  opCounts,
  replicaState,
} from "./convergence.ts";
import type { Json, StateCrdt } from "./crdt.ts";
import type { LwwElementSet } from "./lww_element_set.ts";
import {
  OP_BASED_PROTOCOLS,
  OpBasedReplica,
  type OpBasedType,
  opCounterType,
  opOrSetType,
} from "./op_based.ts";
import type { OrSet } from "./or_set.ts";
import type { PNCounter } from "./pn_counter.ts";
import { Replica, type ReplicaConfig } from "./replica.ts";
import {
  type CounterOp,
  counterType,
  lwwSetType,
  orSetType,
  type ReplicatedType,
  type SetOp,
  type TextOp,
  type TextOutput,
  textType,
} from "./replicated_types.ts";
import type { Rga } from "./rga.ts";
import { broadcastLabel } from "../broadcast/labels.ts";
import type { ReadOp } from "./client.ts";

/** Clients issue operations during this share of the run; the rest is for convergence. */
export const ACTIVE_SHARE = 0.6;

const GOSSIP_FLAGS = {
  clients: flag.int("clients, each at one replica", 3, { min: 1, max: 100 }),
  ops: flag.int("operations each client issues at most", 15, { min: 0 }),
  "gossip-ms": flag.int("ms between anti-entropy rounds", 50, { min: 1 }),
  fanout: flag.int("peers per anti-entropy round", 1, { min: 1 }),
  mode: flag.choice(
    "anti-entropy: push, or push-pull",
    ["push", "push-pull"] as const,
    "push-pull",
  ),
  deltas: flag.bool("ship deltas when acknowledgements allow", true),
} satisfies FlagSpecs;

const OP_FLAGS = {
  replication: flag.choice(
    "state-based (gossip) or op-based (broadcast)",
    ["state", "op"] as const,
    "state",
  ),
  broadcast: flag.choice("broadcast under op-based replication", OP_BASED_PROTOCOLS, "causal"),
} satisfies FlagSpecs;

const SET_FLAGS = {
  elements: flag.int("distinct elements clients add and remove", 4, { min: 1 }),
} satisfies FlagSpecs;

const LWW_FLAGS = {
  ...SET_FLAGS,
  bias: flag.choice("which wins a tie in time", ["add", "remove"] as const, "add"),
  skew: flag.number("replica clocks are off by up to this many ms", 50, { min: 0 }),
} satisfies FlagSpecs;

/**
 * Every flag a CRDT scenario may have, typed; each scenario has the gossip
 * flags and some of the others, so those are optional here.
 */
type CrdtFlags =
  & FlagValues<typeof GOSSIP_FLAGS>
  & Partial<FlagValues<typeof OP_FLAGS> & FlagValues<typeof LWW_FLAGS>>;

/** The flags of a CRDT scenario's run, typed (they were declared by the scenario). */
function crdtFlags(params: ScenarioParams): CrdtFlags {
  return params.flags as CrdtFlags;
}

/** What differs between the four scenarios. */
interface Kind<S extends StateCrdt<S, unknown>, Op extends { readonly type: string }> {
  name: string;
  summary: string;
  flags: FlagSpecs;
  /** The state-based type, from the flags. */
  type(params: ScenarioParams): ReplicatedType<S, Op>;
  /** The op-based type, when the scenario has that variant. */
  opType?: OpBasedType<S, Op, unknown>;
  /** A replica's clock skew, ms, drawn from the scenario's own stream. */
  skew?(params: ScenarioParams, random: Random): number;
  pick(params: ScenarioParams): (random: () => number, last: Json | undefined) => Op | ReadOp;
  check(state: S, ops: readonly Operation[]): string[];
  describe(state: S, ops: readonly Operation[]): string[];
  /** What exploration varies besides what every CRDT scenario does. */
  explore?: ExploreModel;
}

/** The defaults all four share: a small cluster under every kind of fault. */
const DEFAULTS: Scenario["defaults"] = {
  nodes: 3,
  minNodes: 1,
  maxNodes: 50,
  until: 1000,
  network: { loss: 0.05, duplicate: 0.05 },
  faults: "random:crash=2,partition=1.5,pause=1,duration=150",
};

function crdtScenario<S extends StateCrdt<S, unknown>, Op extends { readonly type: string }>(
  kind: Kind<S, Op>,
): Scenario {
  return defineScenario<FlagSpecs>({
    name: kind.name,
    summary: kind.summary,
    // Op-based replicas carry their broadcast layer's messages.
    ...(kind.opType ? { label: broadcastLabel } : {}),
    defaults: DEFAULTS,
    flags: { ...GOSSIP_FLAGS, ...(kind.opType ? OP_FLAGS : {}), ...kind.flags },
    // Replicas converge whatever the network and the faults do once they
    // heal: exploration may vary all of it, and how replicas talk.
    explore: {
      faults: kind.explore?.faults ?? ["crash", "pause", "partition"],
      maxLoss: 0.2,
      maxDup: 0.2,
      flags: {
        clients: [1, 3, 6],
        "gossip-ms": [10, 50, 200],
        fanout: [1, 2],
        mode: ["push", "push-pull"],
        deltas: [true, false],
        ...(kind.opType ? { replication: ["state", "op"] } : {}),
        ...kind.explore?.flags,
      },
    },
    setup(sim, params) {
      const ids = nodeIds(params.nodes);
      const flags = crdtFlags(params);
      const op = kind.opType !== undefined && flags.replication === "op";
      const skews = Random.stream(params.seed, "crdt-skew");
      for (const id of ids) {
        const skewMs = kind.skew?.(params, skews) ?? 0;
        const options = skewMs === 0 ? {} : { clock: { skewMs } };
        if (op) {
          sim.spawn(id, () =>
            new OpBasedReplica({
              type: kind.opType!,
              nodes: ids,
              protocol: flags.broadcast ?? "causal",
            }), options);
        } else {
          sim.spawn(
            id,
            () => new Replica(replicaConfig(kind.type(params), ids, id, flags)),
            options,
          );
        }
      }
      const pick = kind.pick(params);
      const clients = flags.clients;
      for (let c = 1; c <= clients; c++) {
        sim.spawn(`c${c}`, () =>
          new Client<Op>({
            replica: ids[(c - 1) % ids.length],
            workload: randomWorkload({
              count: flags.ops,
              gapMs: [5, 40],
              stopAt: params.until * ACTIVE_SHARE,
              pick,
            }),
          }));
      }
      let convergence: Convergence | undefined;
      const stateOf = (id: NodeId) => replicaState<S>(sim, id);
      return {
        faultTargets: ids,
        check: (s: Simulation): Violation[] => {
          convergence = awaitConvergence(s, ids, stateOf, {
            stepMs: Math.min(10, flags["gossip-ms"]),
          });
          if (!convergence.converged) {
            const when = convergence.quiet
              ? "with nothing left in flight"
              : `${
                round(convergence.atMs - convergence.healedAt)
              } ms after every fault was repaired`;
            return [{
              check: "crdt-convergence",
              message: `replicas still differ ${when}: ${convergence.message}`,
              atMs: s.now,
            }];
          }
          return kind.check(stateOf(ids[0]), s.history.operations).map((message) => ({
            check: "crdt-value",
            message,
            atMs: s.now,
          }));
        },
        summary: (s: Simulation) => {
          const counts = opCounts(s.history.operations);
          const how = op
            ? `op-based over ${flags.broadcast} broadcast`
            : `state-based, ${flags.mode} gossip every ${flags["gossip-ms"]} ms` +
              (flags.deltas && kind.type(params).deltas !== false
                ? " with deltas"
                : " of whole states");
          const lines = [
            `${plural(ids.length, "replica")} (${how}), ${plural(clients, "client")}: ` +
            `${counts.ok} updates ok, ` +
            `${counts.uncertain} uncertain, ${counts.fail} refused`,
          ];
          if (convergence === undefined) return lines;
          if (!convergence.converged) {
            lines.push(`did NOT converge: ${convergence.message}`);
            return lines;
          }
          const after = round(convergence.atMs - convergence.healedAt);
          lines.push(
            after === 0
              ? `all replicas agreed when the run ended (${round(convergence.healedAt)} ms)`
              : `converged ${after} ms after every fault was repaired at ` +
                `${round(convergence.healedAt)} ms`,
            ...kind.describe(stateOf(ids[0]), s.history.operations),
          );
          return lines;
        },
      };
    },
  });
}

function replicaConfig<S extends StateCrdt<S, unknown>, Op extends { readonly type: string }>(
  type: ReplicatedType<S, Op>,
  ids: readonly NodeId[],
  self: NodeId,
  flags: CrdtFlags,
): ReplicaConfig<S, Op> {
  return {
    type,
    peers: ids.filter((p) => p !== self),
    gossipMs: flags["gossip-ms"],
    fanout: flags.fanout,
    mode: flags.mode,
    deltas: flags.deltas,
  };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function pickElement(params: ScenarioParams, random: () => number): string {
  return `e${1 + Math.floor(random() * (crdtFlags(params).elements ?? 1))}`;
}

function pickSetOp(params: ScenarioParams) {
  return (random: () => number): SetOp<string> => ({
    type: random() < 0.6 ? "add" : "remove",
    element: pickElement(params, random),
  });
}

/**
 * `deno task sim run crdt-counter`: a PN-Counter incremented and decremented
 * by clients at every replica; state-based by default,
 * `--replication op` for the operation-based counter over causal broadcast.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crdtCounter } from "./scenarios.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * for (const replication of ["state", "op"]) {
 *   const r = runScenario(crdtCounter, { seed: 2, trace: "off", flags: { replication } });
 *   assert.deepEqual(r.violations, []);
 *   assert.match(r.summary.join("\n"), /^value -?\d+; the history allows /m);
 * }
 * ```
 */
export const crdtCounter: Scenario = crdtScenario<PNCounter, CounterOp>({
  name: "crdt-counter",
  summary: "PN-Counter replicas under faults converge to the acknowledged increments - decrements",
  flags: {},
  type: () => counterType,
  opType: opCounterType as OpBasedType<PNCounter, CounterOp, unknown>,
  pick: () => (random) => ({
    type: random() < 0.6 ? "increment" : "decrement",
    amount: 1 + Math.floor(random() * 3),
  }),
  check: (state, ops) => checkCounter(state.value(), ops),
  describe(state, ops) {
    const { min, max } = counterBounds(ops);
    return [
      `value ${state.value()}; the history allows ${
        min === max ? `exactly ${min}` : `${min}..${max}`
      }`,
    ];
  },
});

/**
 * `deno task sim run crdt-or-set`: an add-wins OR-Set; `--replication op` for
 * the operation-based set over causal broadcast.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crdtOrSet } from "./scenarios.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * const r = runScenario(crdtOrSet, { seed: 2, trace: "off", flags: { elements: 2 } });
 * assert.deepEqual(r.violations, []);
 * assert.match(r.summary.join("\n"), /^set \{(e[12](, )?)*\}$/m);
 * ```
 */
export const crdtOrSet: Scenario = crdtScenario<OrSet<string>, SetOp<string>>({
  name: "crdt-or-set",
  summary:
    "OR-Set replicas: an element stays exactly when some add of it was not observed by a remove",
  flags: SET_FLAGS,
  type: () => orSetType<string>(),
  opType: opOrSetType<string>() as OpBasedType<OrSet<string>, SetOp<string>, unknown>,
  pick: pickSetOp,
  check: (state, ops) => checkOrSet(state as OrSet<Json>, ops),
  describe: (state) => [`set {${state.value().join(", ")}}`],
});

/**
 * `deno task sim run crdt-lww-set`: an LWW-Element-Set whose replicas stamp
 * writes with skewed clocks (each replica's skew drawn from
 * ±`--skew` ms); the summary counts the acknowledged adds it lost to
 * concurrent removes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crdtLwwSet } from "./scenarios.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * const r = runScenario(crdtLwwSet, { seed: 2, trace: "off", flags: { skew: 100 } });
 * // Lost adds are the type's anomaly, not a violation: the replicas still agree.
 * assert.deepEqual(r.violations, []);
 * assert.match(r.summary.join("\n"), /^\d+ acknowledged add\(s\) lost to a remove/m);
 * ```
 */
export const crdtLwwSet: Scenario = crdtScenario<LwwElementSet<string>, SetOp<string>>({
  name: "crdt-lww-set",
  summary: "LWW-Element-Set replicas with skewed clocks: converge, but lose concurrent adds",
  flags: LWW_FLAGS,
  type: (params) => lwwSetType<string>(crdtFlags(params).bias ?? "add"),
  // Timestamps come from skewed clocks: jumps and skew make adds lose, never diverge.
  explore: { faults: ["crash", "pause", "partition", "clock"], flags: { skew: [0, 50, 500] } },
  skew: (params, random) => {
    const skew = crdtFlags(params).skew ?? 0;
    return skew === 0 ? 0 : Math.round(random.uniform(-skew, skew) * 10) / 10;
  },
  pick: pickSetOp,
  check: (state, ops) => checkLwwSet(state as LwwElementSet<Json>, ops),
  describe(state, ops) {
    const lost = lwwLostAdds(state as LwwElementSet<Json>, ops);
    const afterRemove = lost.filter((l) => l.afterRemove).length;
    return [
      `set {${state.value().join(", ")}}`,
      `${lost.length} acknowledged add(s) lost to a remove that never saw them` +
      (afterRemove > 0 ? `, ${afterRemove} of them begun after that remove returned (skew)` : ""),
    ];
  },
});

/**
 * `deno task sim run crdt-text`: collaborative text (RGA); clients type and
 * delete at random places in their replica's copy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crdtText } from "./scenarios.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * const r = runScenario(crdtText, { seed: 2, trace: "off" });
 * assert.deepEqual(r.violations, []);
 * assert.match(r.summary.join("\n"), /^text "[a-z]*" \(\d+ characters\)$/m);
 * ```
 */
export const crdtText: Scenario = crdtScenario<Rga, TextOp>({
  name: "crdt-text",
  summary: "RGA text edited concurrently at every replica converges to one document",
  flags: {},
  type: () => textType,
  pick: () => (random, last) => {
    const length = (last as TextOutput | undefined)?.length ?? 0;
    if (length === 0 || random() < 0.7) {
      const letters = 1 + Math.floor(random() * 3);
      const text = Array.from(
        { length: letters },
        () => String.fromCharCode(97 + Math.floor(random() * 26)),
      ).join("");
      return { type: "insert", index: Math.floor(random() * (length + 1)), text };
    }
    return { type: "delete", index: Math.floor(random() * length), count: 1 };
  },
  check: (state, ops) => checkText(state, ops),
  describe: (state) => [`text ${JSON.stringify(state.text())} (${state.length} characters)`],
});
