/**
 * Mutants of epidemic gossip with anti-entropy.
 *
 * @module
 */

import type { Mutant } from "./mutant.ts";

/** Gossip mistakes. */
export const gossipMutants: Mutant[] = [
  {
    name: "anti-entropy-once",
    protocol: "gossip",
    mistake: "the anti-entropy timer is not set again, so only one repair round ever runs",
    scenario: "gossip",
    edits: [{
      file: "protocols/gossip/gossip.ts",
      find: '        ctx.setTimer({ type: "anti-entropy" }, this.config.antiEntropyMs);\n',
      replace: "",
    }],
  },
  {
    name: "digest-sends-known",
    protocol: "gossip",
    mistake:
      "answering a digest, a node sends the rumours the peer already has, not those it lacks",
    scenario: "gossip",
    edits: [{
      file: "protocols/gossip/gossip.ts",
      find: "const missing = [...this.known].filter((id) => !theirs.has(id));",
      replace: "const missing = [...this.known].filter((id) => theirs.has(id));",
    }],
  },
];
