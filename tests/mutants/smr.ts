/**
 * Mutants of state machine replication over total order broadcast.
 *
 * @module
 */

import type { Mutant } from "./mutant.ts";

/** State machine replication mistakes. */
export const smrMutants: Mutant[] = [
  {
    name: "smr-dedup-off-by-one",
    protocol: "smr",
    mistake: "the session check lets a retry of the client's last command be applied again",
    scenario: "smr-cas",
    edits: [{
      file: "protocols/smr/replica.ts",
      find: "if (last !== undefined && id <= last.id) {",
      replace: "if (last !== undefined && id < last.id) {",
    }],
  },
  {
    name: "smr-state-not-saved",
    protocol: "smr",
    mistake: "a replica saves how many commands it applied but not the state they produced",
    scenario: "smr-cas",
    edits: [{
      file: "protocols/smr/replica.ts",
      find: '      ctx.storage.set("state", this.state);\n',
      replace: "",
    }],
  },
];
