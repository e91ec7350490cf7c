/**
 * One way to build any of the broadcast layers by name, for scenarios,
 * examples and tests that compare them on the same workload, with the
 * message and timer types a host declares for a layer chosen at run time.
 *
 * @module
 */

import { BestEffortBroadcast, type BestEffortMsg } from "./best_effort.ts";
import { CausalBroadcast, type CausalMsg, type CausalTimer } from "./causal.ts";
import { FifoBroadcast, type FifoMsg, type FifoTimer } from "./fifo.ts";
import {
  BROADCAST_PROTOCOLS,
  type BroadcastLayer,
  type BroadcastProtocol,
  type LayerOptions,
} from "./layer.ts";
import { ReliableBroadcast, type ReliableMsg, type ReliableTimer } from "./reliable.ts";
import { type LamportMsg, type LamportTimer, LamportTotalOrderBroadcast } from "./total_lamport.ts";
import { SequencerBroadcast, type SequencerMsg, type SequencerTimer } from "./total_sequencer.ts";

/**
 * The messages of any broadcast layer carrying payloads `P`; a host that
 * mounts one chosen at run time under `"bc"` carries `LayerMsg<"bc", BroadcastMsg<P>>`.
 *
 * @example
 * ```ts
 * import type { BroadcastMsg } from "./create.ts";
 * import assert from "node:assert/strict";
 * const m: BroadcastMsg<string> = { layer: "rb", msg: { layer: "link", msg: { type: "ack", seq: 3 } } };
 * assert.equal(m.layer, "rb");
 * ```
 */
export type BroadcastMsg<P> =
  | BestEffortMsg<P>
  | ReliableMsg<P>
  | FifoMsg<P>
  | CausalMsg<P>
  | SequencerMsg<P>
  | LamportMsg<P>;

/** The timers of any broadcast layer. */
export type BroadcastTimer =
  | ReliableTimer
  | FifoTimer
  | CausalTimer
  | SequencerTimer
  | LamportTimer;

/**
 * A broadcast layer of the given protocol.
 *
 * @example
 * ```ts
 * import { createBroadcast } from "./create.ts";
 * import assert from "node:assert/strict";
 * const layer = createBroadcast<string>("causal", { nodes: ["n1", "n2"], deliver: () => {} });
 * assert.equal(layer.protocol, "causal");
 * assert.throws(() => createBroadcast("gossip" as never, { nodes: ["n1"], deliver: () => {} }), /unknown broadcast protocol/);
 * ```
 */
export function createBroadcast<P>(
  protocol: BroadcastProtocol,
  options: LayerOptions<P>,
): BroadcastLayer<P, BroadcastMsg<P>, BroadcastTimer> {
  switch (protocol) {
    case "best-effort":
      return new BestEffortBroadcast<P>(options);
    case "reliable":
      return new ReliableBroadcast<P>(options);
    case "fifo":
      return new FifoBroadcast<P>(options);
    case "causal":
      return new CausalBroadcast<P>(options);
    case "total-sequencer":
      return new SequencerBroadcast<P>(options);
    case "total-lamport":
      return new LamportTotalOrderBroadcast<P>(options);
    default: {
      const never: never = protocol;
      throw new TypeError(
        `unknown broadcast protocol ${JSON.stringify(never)}: use one of ${
          BROADCAST_PROTOCOLS.join(", ")
        }`,
      );
    }
  }
}
