/**
 * A replica of quorum replication and of ABD: it holds a (value, timestamp)
 * per key and keeps the newest write it has seen. It never talks to other
 * replicas; clients do all the coordinating.
 *
 * ```text
 * on Read(key)                 reply ReadReply(key, value[key], ts[key])
 * on Write(key, value, ts)     if ts > ts[key]: value[key], ts[key] := value, ts
 *                              reply WriteAck(key)
 * ```
 *
 * Keeping only the newer write makes a `Write` idempotent and order-blind:
 * a duplicate, a late retry or an old repair changes nothing. The value is
 * on disk before the acknowledgement leaves, so a crash after the ack cannot
 * take back a write a client already counted.
 *
 * @module
 */

import type { Actor, Context, NodeId, Storage } from "../../actors/mod.ts";
import { compareTimestamps, type QuorumMsg, type Versioned } from "./messages.ts";

/** Storage key of one data key; a prefix keeps them apart from anything else stored. */
const STORED = "kv:";

/**
 * One replica.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { QuorumReplica } from "./replica.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n1", () => new QuorumReplica());
 * sim.send("c1", "n1", { type: "Write", key: "x", value: "a", ts: [1, "c1"], req: 1 });
 * sim.run();
 * assert.equal(sim.actor<QuorumReplica>("n1")!.get("x").value, "a");
 * ```
 */
export class QuorumReplica implements Actor<QuorumMsg> {
  #data = new Map<string, Versioned>();

  onStart(ctx: Context<QuorumMsg>): void {
    // A restart comes back with everything it acknowledged.
    this.#data = storedVersions(ctx.storage);
  }

  onMessage(ctx: Context<QuorumMsg>, msg: QuorumMsg, from: NodeId): void {
    switch (msg.type) {
      case "Read": {
        const { value, ts } = this.get(msg.key);
        ctx.send(from, { type: "ReadReply", key: msg.key, value, ts, req: msg.req });
        return;
      }
      case "Write": {
        if (compareTimestamps(msg.ts, this.get(msg.key).ts) > 0) {
          const stored: Versioned = { value: msg.value, ts: msg.ts };
          ctx.storage.set(STORED + msg.key, stored);
          this.#data.set(msg.key, stored);
        }
        ctx.send(from, { type: "WriteAck", key: msg.key, req: msg.req });
        return;
      }
      case "ReadReply":
      case "WriteAck":
        return; // answers are for clients
      default: {
        const never: never = msg;
        throw new Error(`unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  /** What this replica holds for `key` (`{value: null, ts: null}` if never written). */
  get(key: string): Versioned {
    return this.#data.get(key) ?? { value: null, ts: null };
  }

  /** Every key this replica holds, sorted. */
  keys(): string[] {
    return [...this.#data.keys()].sort();
  }

  /** The versions it holds, by key: its whole state (what `sim check` fingerprints). */
  inspect(): Record<string, Versioned> {
    return Object.fromEntries(this.#data);
  }
}

/**
 * Puts `version` of `key` into a replica's storage before it starts, as if it
 * had acknowledged that write earlier (for experiments that need replicas to
 * start out disagreeing).
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { QuorumReplica, seedReplica } from "./replica.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n1", () => new QuorumReplica());
 * seedReplica(sim.storage("n1"), "x", { value: "old", ts: [1, "c0"] });
 * sim.run({ until: 1 });
 * assert.deepEqual(sim.actor<QuorumReplica>("n1")!.get("x"), { value: "old", ts: [1, "c0"] });
 * ```
 */
export function seedReplica(
  storage: Storage,
  key: string,
  version: Versioned,
): void {
  storage.set(STORED + key, version);
}

/**
 * Every (value, timestamp) a replica's storage holds, by key: what it has
 * acknowledged, readable whether it is up or crashed.
 *
 * @example
 * ```ts
 * import { MemoryStorage } from "../../actors/mod.ts";
 * import { seedReplica, storedVersions } from "./replica.ts";
 * import assert from "node:assert/strict";
 * const disk = new MemoryStorage();
 * seedReplica(disk, "x", { value: 1, ts: [1, "c1"] });
 * assert.equal(storedVersions(disk).get("x")?.value, 1);
 * ```
 */
export function storedVersions(storage: Storage): Map<string, Versioned> {
  const out = new Map<string, Versioned>();
  for (const k of storage.keys()) {
    if (k.startsWith(STORED)) out.set(k.slice(STORED.length), storage.get<Versioned>(k)!);
  }
  return out;
}
