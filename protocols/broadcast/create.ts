/**
 * One way to build any of the broadcast layers by name, for scenarios,
 * examples and tests that compare them on the same workload.
 *
 * @module
 */

import { BestEffortBroadcast, type BestEffortWire } from "./best_effort.ts";
import { CausalBroadcast } from "./causal.ts";
import { FifoBroadcast } from "./fifo.ts";
import type { Broadcast, BroadcastProtocol, LayerOptions } from "./layer.ts";
import { ReliableBroadcast } from "./reliable.ts";
import type { LinkWire } from "./reliable_link.ts";
import { LamportTotalOrderBroadcast } from "./total_lamport.ts";
import { SequencerBroadcast } from "./total_sequencer.ts";

/**
 * Every message a broadcast layer puts on the wire; a host's message type
 * includes it (`type Msg = MyMsg | BroadcastWire`).
 *
 * @example
 * ```ts
 * import type { BroadcastWire } from "./create.ts";
 * const m: BroadcastWire = { type: "link-ack", ch: "causal", seq: 3 };
 * ```
 */
export type BroadcastWire = LinkWire | BestEffortWire;

/**
 * Options of {@linkcode createBroadcast}: the common ones plus the retry
 * interval of reliable links (ignored by best-effort broadcast).
 *
 * @example
 * ```ts
 * import type { CreateOptions } from "./create.ts";
 * const o: CreateOptions<string> = { nodes: ["n1", "n2"], deliver: () => {}, retryMs: 20 };
 * ```
 */
export interface CreateOptions<P> extends LayerOptions<P> {
  retryMs?: number;
}

/**
 * A broadcast layer of the given protocol.
 *
 * @example
 * ```ts
 * import { createBroadcast } from "./create.ts";
 * const layer = createBroadcast<string>("causal", { nodes: ["n1", "n2"], deliver: () => {} });
 * layer.protocol; // "causal"
 * ```
 */
export function createBroadcast<P>(
  protocol: BroadcastProtocol,
  options: CreateOptions<P>,
): Broadcast<P> {
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
      throw new TypeError(`unknown broadcast protocol ${JSON.stringify(never)}`);
    }
  }
}
