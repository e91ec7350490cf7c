/**
 * Mutants of Multi-Paxos (the `paxos` scenario's default mode).
 *
 * @module
 */

import type { Mutant } from "./mutant.ts";

/** Paxos mistakes. */
export const paxosMutants: Mutant[] = [
  {
    name: "paxos-first-reported-value",
    protocol: "paxos",
    mistake:
      "a new leader re-proposes the first accepted value a promise reports for a slot, not the one with the highest ballot",
    scenario: "paxos",
    edits: [{
      file: "protocols/paxos/multi_paxos.ts",
      find: "if (compareBallots(p.ballot, highest.get(p.slot)?.ballot ?? null) > 0) {",
      replace: "if (!highest.has(p.slot)) {",
    }],
  },
  {
    name: "paxos-accept-not-saved",
    protocol: "paxos",
    mistake: "an acceptor answers Accepted without writing the accepted value to durable storage",
    scenario: "paxos",
    edits: [{
      file: "protocols/paxos/multi_paxos.ts",
      find:
        "    ctx.storage.set(`acc/${slot}`, { ballot, entry }); // durable before the answer leaves\n",
      replace: "",
    }],
  },
];
