/**
 * Broadcast protocols as layers a host actor mounts (see `layer.ts`):
 * best-effort, reliable (eager relay over reliable links), FIFO, causal
 * (vector clocks), and total order via a sequencer or via Lamport clocks with
 * acknowledgements from all; checkers of their delivery guarantees; and the
 * `broadcast-fifo`, `broadcast-causal` and `broadcast-total` scenarios.
 *
 * Each layer is an actor of its own, and stronger layers mount weaker ones:
 *
 * ```text
 * host ─ mounts "bc" ─▶ CausalBroadcast ─ mounts "rb" ─▶ ReliableBroadcast ─ mounts "link" ─▶ ReliableLink
 * ```
 *
 * so a causal message travels as `{ layer: "bc", msg: { layer: "rb", msg:
 * { layer: "link", msg: { type: "data", seq, body } } } }`, its retry timer
 * is `bc/rb/link/retry`, and its storage keys start with `bc/rb/link/`.
 *
 * @example
 * ```ts
 * import { broadcastCausal } from "./mod.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(broadcastCausal, { seed: 3, network: { loss: 0.1 } }).ok, true);
 * ```
 *
 * @module
 */

export { BestEffortBroadcast, type BestEffortMsg } from "./best_effort.ts";
export {
  BroadcastNode,
  type BroadcastNodeConfig,
  type ChatMsg,
  type ChatTimer,
  type ChatView,
} from "./broadcast_node.ts";
export {
  CausalBroadcast,
  type CausalEnvelope,
  type CausalMsg,
  type CausalTimer,
} from "./causal.ts";
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
export { type BroadcastMsg, type BroadcastTimer, createBroadcast } from "./create.ts";
export { DurableMap } from "./durable_map.ts";
export { FifoBroadcast, type FifoEnvelope, type FifoMsg, type FifoTimer } from "./fifo.ts";
export {
  Broadcast,
  BROADCAST_NOTE,
  BROADCAST_PROTOCOLS,
  type BroadcastLayer,
  type BroadcastNote,
  type BroadcastProtocol,
  type BroadcastView,
  checkLayerOptions,
  type Deliver,
  DELIVER_NOTE,
  type Delivery,
  LayerBase,
  type LayerOptions,
  messageId,
  mountBroadcast,
  unexpected,
} from "./layer.ts";
export { broadcastLabel } from "./labels.ts";
export {
  mountReliable,
  type RelayEnvelope,
  ReliableBroadcast,
  type ReliableMsg,
  type ReliableTimer,
} from "./reliable.ts";
export {
  Link,
  type LinkMsg,
  type LinkTimer,
  type LinkView,
  mountLink,
  ReliableLink,
  type ReliableLinkOptions,
} from "./reliable_link.ts";
export {
  broadcastCausal,
  broadcastFifo,
  type BroadcastFlags,
  broadcastTotal,
  postingPlan,
} from "./scenario.ts";
export {
  type LamportEnvelope,
  type LamportMsg,
  type LamportTimer,
  LamportTotalOrderBroadcast,
} from "./total_lamport.ts";
export {
  SequencerBroadcast,
  type SequencerEnvelope,
  type SequencerMsg,
  type SequencerOptions,
  type SequencerTimer,
} from "./total_sequencer.ts";
