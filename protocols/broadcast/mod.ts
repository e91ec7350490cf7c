/**
 * Broadcast protocols as layers a host actor stacks on (see `layer.ts`):
 * best-effort, reliable (eager relay over reliable links), FIFO, causal
 * (vector clocks), and total order via a sequencer or via Lamport clocks with
 * acknowledgements from all; checkers of their delivery guarantees; and the
 * `broadcast-fifo`, `broadcast-causal` and `broadcast-total` scenarios.
 *
 * @example
 * ```ts
 * import { broadcastCausal } from "./mod.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * runScenario(broadcastCausal, { seed: 3, network: { loss: 0.1 } }).ok; // true
 * ```
 *
 * @module
 */

export { BestEffortBroadcast, type BestEffortWire } from "./best_effort.ts";
export { BroadcastNode, type BroadcastNodeConfig } from "./broadcast_node.ts";
export { CausalBroadcast, type CausalEnvelope } from "./causal.ts";
export {
  type AppEvent,
  appEvents,
  checkAgreement,
  checkBroadcast,
  checkCausal,
  checkFifo,
  checkIntegrity,
  checkTotalOrder,
  deliveryOrders,
  type Guarantee,
  PROMISES,
} from "./check.ts";
export { type BroadcastWire, createBroadcast, type CreateOptions } from "./create.ts";
export { DurableMap } from "./durable_map.ts";
export { FifoBroadcast, type FifoEnvelope } from "./fifo.ts";
export {
  type Broadcast,
  BROADCAST_NOTE,
  BROADCAST_PROTOCOLS,
  type BroadcastNote,
  type BroadcastProtocol,
  checkLayerOptions,
  type Deliver,
  DELIVER_NOTE,
  type Delivery,
  type LayerOptions,
  messageId,
  recordNote,
} from "./layer.ts";
export { type RelayEnvelope, ReliableBroadcast, type ReliableOptions } from "./reliable.ts";
export { type LinkWire, ReliableLink, type ReliableLinkOptions } from "./reliable_link.ts";
export { broadcastCausal, broadcastFifo, broadcastTotal, postingPlan } from "./scenario.ts";
export { type LamportEnvelope, LamportTotalOrderBroadcast } from "./total_lamport.ts";
export {
  SequencerBroadcast,
  type SequencerEnvelope,
  type SequencerOptions,
} from "./total_sequencer.ts";
