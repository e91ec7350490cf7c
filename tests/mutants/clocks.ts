/**
 * Mutants of the logical clocks (Lamport and vector clocks).
 *
 * @module
 */

import type { Mutant } from "./mutant.ts";

/** Logical clock mistakes. */
export const clockMutants: Mutant[] = [
  {
    name: "lamport-receive-no-max",
    protocol: "clocks",
    mistake: "on receive, the Lamport clock ticks without taking the max with the message's time",
    scenario: "lamport",
    edits: [{
      file: "protocols/clocks/lamport_clock.ts",
      find: "return this.merge(stamp).tick();",
      replace: "return this.tick();",
    }],
  },
  {
    name: "lamport-receive-no-tick",
    protocol: "clocks",
    mistake: "on receive, the Lamport clock takes the max but does not count the receive itself",
    scenario: "lamport",
    edits: [{
      file: "protocols/clocks/lamport_clock.ts",
      find: "return this.merge(stamp).tick();",
      replace: "return this.merge(stamp);",
    }],
  },
  {
    name: "vector-merge-overwrite",
    protocol: "clocks",
    mistake: "vector clock merge copies the other clock's entries instead of taking the max",
    scenario: "vector-clock",
    edits: [{
      file: "protocols/clocks/vector_clock.ts",
      find: "if (count > at(out, node)) out[node] = count;",
      replace: "out[node] = count;",
    }],
  },
  {
    name: "clocks-not-reloaded",
    protocol: "clocks",
    mistake: "the node's onStart forgets to reload its clocks, so a restart counts from zero",
    scenario: "lamport",
    edits: [{
      file: "protocols/clocks/clock_node.ts",
      find: "    this.clocks.onStart(ctx);\n",
      replace: "",
    }],
  },
];
