/**
 * Mutants of Spanner's TrueTime, commit wait and snapshot reads.
 *
 * @module
 */

import type { Mutant } from "./mutant.ts";

/** Spanner mistakes. */
export const spannerMutants: Mutant[] = [
  {
    name: "commit-wait-no-epsilon",
    protocol: "spanner",
    mistake: "commit wait waits until the local clock passes the timestamp, not TT.after(ts)",
    scenario: "spanner",
    edits: [{
      file: "protocols/spanner/true_time.ts",
      find: "return Math.max(0, t + this.epsilonMs - local);",
      replace: "return Math.max(0, t - local);",
    }],
  },
  {
    name: "commit-ts-earliest",
    protocol: "spanner",
    mistake: "a commit takes TT.now().earliest as its timestamp instead of TT.now().latest",
    scenario: "spanner",
    edits: [{
      file: "protocols/spanner/shard.ts",
      find: "const ts = Math.max(this.tt.now(ctx.now()).latest, this.last + TICK);",
      replace: "const ts = Math.max(this.tt.now(ctx.now()).earliest, this.last + TICK);",
    }],
  },
];
