/**
 * How many replicas can fail before reads, or writes, become unavailable,
 * for each quorum configuration: computed from N, R and W, and checked by
 * running the protocol in the simulator with that many replicas crashed.
 *
 * A plain quorum read needs R replies, so it survives N - R crashed
 * replicas; a write needs W acknowledgements and survives N - W. A read
 * that writes back before returning (synchronous read repair, ABD) may need
 * W acknowledgements as well, and an ABD write asks a read quorum first, so
 * those survive only N - max(R, W). Linearizability costs availability.
 *
 * "Survives" is the guarantee, the worst case: an operation that happens to
 * need no write-back may succeed with more replicas down. The simulator
 * check provokes the worst case by starting every replica with a different
 * version of the key, so every read quorum disagrees.
 *
 * @module
 */

import type { OpStatus } from "../../actors/mod.ts";
import { ConfigError } from "../../sim/errors.ts";
import { formatTable } from "../../sim/render/table.ts";
import { nodeIds } from "../../sim/scenario.ts";
import { Simulation } from "../../sim/simulation.ts";
import { AbdClient } from "./abd.ts";
import { QuorumClient, type ReadRepair } from "./client.ts";
import { QuorumReplica, seedReplica } from "./replica.ts";

/**
 * A quorum configuration: the protocol, N, R, W and its options.
 *
 * @example
 * ```ts
 * import { availability, type QuorumSetup, setupName } from "./availability.ts";
 * import assert from "node:assert/strict";
 * const dynamo: QuorumSetup = { protocol: "quorum", n: 3, r: 2, w: 2, readRepair: "async" };
 * const abd: QuorumSetup = { protocol: "abd", n: 5, r: 3, w: 3 };
 * assert.equal(setupName(dynamo), "async repair");
 * assert.equal(availability(abd).guarantee, "linearizable");
 * ```
 */
export type QuorumSetup =
  | { protocol: "quorum"; n: number; r: number; w: number; readRepair?: ReadRepair }
  | { protocol: "abd"; n: number; r: number; w: number; singleWriter?: boolean };

/**
 * What a configuration tolerates and guarantees.
 *
 * @example
 * ```ts
 * import { availability } from "./availability.ts";
 * import assert from "node:assert/strict";
 * assert.equal(availability({ protocol: "quorum", n: 3, r: 2, w: 2 }).readFaults, 1);
 * ```
 */
export interface Availability {
  /** Most replicas that may be down while every read can still succeed. */
  readFaults: number;
  /** Most replicas that may be down while every write can still succeed. */
  writeFaults: number;
  /** R + W > N: every read quorum overlaps every write quorum. */
  overlap: boolean;
  /**
   * What reads may return, in a few words: `may be stale` (a read can miss
   * a finished write), `fresh, not linearizable` (it cannot, but two reads
   * during a write can disagree), `linearizable`.
   */
  guarantee: string;
}

/**
 * Computes how many crashed replicas reads and writes survive, and what the
 * configuration guarantees.
 *
 * @example
 * ```ts
 * import { availability } from "./availability.ts";
 * import assert from "node:assert/strict";
 * const a = availability({ protocol: "abd", n: 5, r: 2, w: 4 });
 * assert.deepEqual([a.readFaults, a.writeFaults], [1, 1]);
 * ```
 */
export function availability(setup: QuorumSetup): Availability {
  const { n, r, w } = checkSetup(setup);
  const overlap = r + w > n;
  switch (setup.protocol) {
    case "quorum": {
      const repair = setup.readRepair ?? "none";
      return {
        readFaults: repair === "sync" ? n - Math.max(r, w) : n - r,
        writeFaults: n - w,
        overlap,
        guarantee: !overlap
          ? "may be stale"
          : repair === "sync"
          ? "linearizable, 1 writer"
          : "fresh, not linearizable",
      };
    }
    case "abd": {
      const single = setup.singleWriter ?? false;
      return {
        readFaults: n - Math.max(r, w),
        writeFaults: single ? n - w : n - Math.max(r, w),
        overlap,
        guarantee: !overlap ? "may be stale" : single ? "linearizable, 1 writer" : "linearizable",
      };
    }
    default: {
      const never: never = setup;
      throw new ConfigError("protocol", `unknown protocol in ${JSON.stringify(never)}`);
    }
  }
}

function checkSetup(setup: QuorumSetup): QuorumSetup {
  const { n, r, w } = setup;
  if (!(Number.isInteger(n) && n >= 1)) {
    throw new ConfigError("N", `must be a whole number >= 1, got ${n}`);
  }
  for (const [name, q] of [["R", r], ["W", w]] as const) {
    if (!(Number.isInteger(q) && q >= 1 && q <= n)) {
      throw new ConfigError(name, `must be a whole number from 1 to N = ${n}, got ${q}`);
    }
  }
  return setup;
}

/**
 * How a read and then a write ended in the simulator with `down` replicas
 * crashed from the start.
 *
 * @example
 * ```ts
 * import { measureAvailability, type Outcome } from "./availability.ts";
 * import assert from "node:assert/strict";
 * // Two of three replicas down: a read of one answer still succeeds, a write of two cannot.
 * const o: Outcome = measureAvailability({ protocol: "quorum", n: 3, r: 1, w: 2 }, 2);
 * assert.equal(o.read, "ok");
 * assert.notEqual(o.write, "ok");
 * ```
 */
export interface Outcome {
  /** How the read ended (`pending` if it never did). */
  read: OpStatus | "pending";
  /** How the write ended (`pending` if it never did). */
  write: OpStatus | "pending";
}

/**
 * Runs one read and then one write of key `x` against `setup` with the last
 * `down` replicas crashed from the start, and reports how each ended. Each
 * replica starts with its own version of `x` (replica i holds `v{i}` with
 * timestamp (i, c0)), so the read's replies always disagree and a read that
 * writes back has to.
 *
 * @example
 * ```ts
 * import { measureAvailability } from "./availability.ts";
 * import assert from "node:assert/strict";
 * const outcome = measureAvailability({ protocol: "quorum", n: 3, r: 2, w: 2 }, 1);
 * assert.deepEqual(outcome, { read: "ok", write: "ok" });
 * ```
 */
export function measureAvailability(setup: QuorumSetup, down: number, seed = 1): Outcome {
  const { n, r, w } = checkSetup(setup);
  if (!(Number.isInteger(down) && down >= 0 && down <= n)) {
    throw new ConfigError("down", `must be a whole number from 0 to N = ${n}, got ${down}`);
  }
  const sim = new Simulation({ seed, trace: "off" });
  const replicas = nodeIds(n);
  replicas.forEach((id, i) => {
    sim.spawn(id, () => new QuorumReplica());
    seedReplica(sim.storage(id), "x", { value: `v${i + 1}`, ts: [i + 1, "c0"] });
  });
  for (const id of replicas.slice(n - down)) sim.crash(id);
  const config = {
    replicas,
    r,
    w,
    workload: { ops: [{ f: "read", key: "x" }, { f: "write", key: "x", value: "new" }] as const },
  };
  switch (setup.protocol) {
    case "quorum":
      sim.spawn("c1", () => new QuorumClient({ ...config, readRepair: setup.readRepair }));
      break;
    case "abd":
      sim.spawn("c1", () => new AbdClient({ ...config, singleWriter: setup.singleWriter }));
      break;
    default: {
      const never: never = setup;
      throw new ConfigError("protocol", `unknown protocol in ${JSON.stringify(never)}`);
    }
  }
  sim.run();
  const [read, write] = sim.history.operations;
  return { read: read?.status ?? "pending", write: write?.status ?? "pending" };
}

/**
 * The configurations of the lesson's table: N = 3 and N = 5 with the usual
 * choices of R and W, plain and with synchronous read repair, and ABD.
 *
 * @example
 * ```ts
 * import { LESSON_SETUPS } from "./availability.ts";
 * import assert from "node:assert/strict";
 * assert.ok(LESSON_SETUPS.length > 10);
 * ```
 */
export const LESSON_SETUPS: readonly QuorumSetup[] = [
  { protocol: "quorum", n: 3, r: 1, w: 1 },
  { protocol: "quorum", n: 3, r: 1, w: 3 },
  { protocol: "quorum", n: 3, r: 3, w: 1 },
  { protocol: "quorum", n: 3, r: 2, w: 2 },
  { protocol: "quorum", n: 3, r: 2, w: 2, readRepair: "sync" },
  { protocol: "abd", n: 3, r: 2, w: 2 },
  { protocol: "quorum", n: 5, r: 1, w: 1 },
  { protocol: "quorum", n: 5, r: 2, w: 2 },
  { protocol: "quorum", n: 5, r: 1, w: 5 },
  { protocol: "quorum", n: 5, r: 5, w: 1 },
  { protocol: "quorum", n: 5, r: 2, w: 4 },
  { protocol: "quorum", n: 5, r: 4, w: 2 },
  { protocol: "quorum", n: 5, r: 3, w: 3 },
  { protocol: "quorum", n: 5, r: 3, w: 3, readRepair: "sync" },
  { protocol: "abd", n: 5, r: 3, w: 3 },
  { protocol: "abd", n: 5, r: 2, w: 4 },
];

/**
 * One row of the availability table.
 *
 * @example
 * ```ts
 * import { availabilityRow } from "./availability.ts";
 * import assert from "node:assert/strict";
 * assert.ok(availabilityRow({ protocol: "quorum", n: 3, r: 2, w: 2 }).verified);
 * ```
 */
export interface AvailabilityRow extends Availability {
  /** The configuration. */
  setup: QuorumSetup;
  /**
   * Whether the simulator agreed for every number of crashed replicas from
   * 0 to N: the read (the write) succeeded exactly when no more than
   * `readFaults` (`writeFaults`) were down. Absent when not checked.
   */
  verified?: boolean;
  /** The first disagreement, for a person. */
  mismatch?: string;
}

/**
 * Computes one row, and with `verify` (default true) checks it in the
 * simulator for 0 to N crashed replicas.
 *
 * @example
 * ```ts
 * import { availabilityRow } from "./availability.ts";
 * import assert from "node:assert/strict";
 * const row = availabilityRow({ protocol: "quorum", n: 5, r: 1, w: 5 });
 * assert.equal(row.writeFaults, 0); // a write needs all five
 * assert.equal(row.verified, true); // and the simulator agreed, for 0 to 5 down
 * ```
 */
export function availabilityRow(setup: QuorumSetup, verify = true): AvailabilityRow {
  const row: AvailabilityRow = { setup, ...availability(setup) };
  return verify ? { ...row, ...verifyAvailability(setup, row) } : row;
}

/**
 * Checks a prediction in the simulator: for 0 to N crashed replicas, the
 * read (the write) must succeed exactly when no more than `readFaults`
 * (`writeFaults`) are down. Returns the first disagreement.
 *
 * @example
 * ```ts
 * import { availability, verifyAvailability } from "./availability.ts";
 * import assert from "node:assert/strict";
 * const setup = { protocol: "quorum", n: 3, r: 1, w: 3 } as const;
 * assert.ok(verifyAvailability(setup, availability(setup)).verified);
 * verifyAvailability(setup, { readFaults: 0, writeFaults: 0 }).mismatch;
 * // "1 down: the read ended ok, predicted unavailable"
 * ```
 */
export function verifyAvailability(
  setup: QuorumSetup,
  predicted: Pick<Availability, "readFaults" | "writeFaults">,
): { verified: boolean; mismatch?: string } {
  for (let down = 0; down <= setup.n; down++) {
    const got = measureAvailability(setup, down);
    const want = { read: down <= predicted.readFaults, write: down <= predicted.writeFaults };
    for (const kind of ["read", "write"] as const) {
      if ((got[kind] === "ok") !== want[kind]) {
        const said = want[kind] ? "ok" : "unavailable";
        return {
          verified: false,
          mismatch: `${down} down: the ${kind} ended ${got[kind]}, predicted ${said}`,
        };
      }
    }
  }
  return { verified: true };
}

/**
 * How a configuration is named in the table: `quorum`, `sync repair`, `ABD`.
 *
 * @example
 * ```ts
 * import { setupName } from "./availability.ts";
 * import assert from "node:assert/strict";
 * const shape = { n: 3, r: 2, w: 2 };
 * assert.equal(setupName({ protocol: "quorum", ...shape, readRepair: "sync" }), "sync repair");
 * assert.equal(setupName({ protocol: "abd", ...shape, singleWriter: true }), "ABD, 1 writer");
 * ```
 */
export function setupName(setup: QuorumSetup): string {
  switch (setup.protocol) {
    case "quorum":
      return (setup.readRepair ?? "none") === "none" ? "quorum" : `${setup.readRepair} repair`;
    case "abd":
      return setup.singleWriter ? "ABD, 1 writer" : "ABD";
    default: {
      const never: never = setup;
      throw new ConfigError("protocol", `unknown protocol in ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The rows as a text table (under 100 columns), one line per configuration:
 * `reads` and `writes` are how many replicas may be down with them still
 * available, `sim` whether the simulator agreed.
 *
 * @example
 * ```ts
 * import { availabilityRow, formatAvailabilityTable } from "./availability.ts";
 * import assert from "node:assert/strict";
 * const rows = [availabilityRow({ protocol: "quorum", n: 3, r: 2, w: 2 }, false)];
 * assert.deepEqual(formatAvailabilityTable(rows).split("\n"), [
 *   "┌───┬───┬───┬──────────┬───────┬────────┬────────┬─────────────────────────┐",
 *   "│ N │ R │ W │ protocol │ R+W>N │ reads  │ writes │ reads see               │",
 *   "├───┼───┼───┼──────────┼───────┼────────┼────────┼─────────────────────────┤",
 *   "│ 3 │ 2 │ 2 │ quorum   │ yes   │ 1 down │ 1 down │ fresh, not linearizable │",
 *   "└───┴───┴───┴──────────┴───────┴────────┴────────┴─────────────────────────┘",
 * ]);
 * ```
 */
export function formatAvailabilityTable(rows: readonly AvailabilityRow[]): string {
  const checked = rows.some((r) => r.verified !== undefined);
  const head = ["N", "R", "W", "protocol", "R+W>N", "reads", "writes", "reads see"];
  if (checked) head.push("sim");
  const lines = rows.map((row) => {
    const { n, r, w } = row.setup;
    const cells = [
      n,
      r,
      w,
      setupName(row.setup),
      row.overlap ? "yes" : "no",
      down(row.readFaults),
      down(row.writeFaults),
      row.guarantee,
    ].map(String);
    if (checked) cells.push(row.verified === undefined ? "-" : row.verified ? "agrees" : "DIFFERS");
    return cells;
  });
  return formatTable(head, lines);
}

function down(f: number): string {
  return `${f} down`;
}
