/**
 * Epidemic broadcast (gossip): rumours pushed to random peers for a few hot
 * rounds, with periodic anti-entropy that repairs what was lost.
 *
 * @example
 * ```ts
 * import { gossip } from "./mod.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(gossip, { seed: 1, nodes: 6, network: { loss: 0.2 } }).ok, true);
 * ```
 *
 * @module
 */

export {
  type GossipConfig,
  type GossipMsg,
  GossipNode,
  type GossipTimer,
  type GossipView,
} from "./gossip.ts";
export { gossip, type GossipFlags } from "./scenario.ts";
