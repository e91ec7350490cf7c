/**
 * Mutants of the CRDTs: counters, sets, the delta-state replica and RGA.
 *
 * @module
 */

import type { Mutant } from "./mutant.ts";

/** CRDT mistakes. */
export const crdtMutants: Mutant[] = [
  {
    name: "gcounter-merge-min",
    protocol: "crdt",
    mistake: "G-Counter merge keeps the smaller count of each replica instead of the larger",
    scenario: "crdt-counter",
    edits: [{
      file: "protocols/crdt/g_counter.ts",
      find: "if (n > (counts.get(r) ?? 0)) counts.set(r, n);",
      replace: "if (n < (counts.get(r) ?? 0)) counts.set(r, n);",
    }],
  },
  {
    name: "delta-interval-off-by-one",
    protocol: "crdt",
    mistake: "the delta sent to a peer starts one past the last change it acknowledged",
    scenario: "crdt-counter",
    edits: [{
      file: "protocols/crdt/replica.ts",
      find: "for (let i = acked - this.#bufferStart; i < this.#buffer.length; i++) {",
      replace: "for (let i = acked - this.#bufferStart + 1; i < this.#buffer.length; i++) {",
    }],
  },
  {
    name: "orset-remove-unseen-add",
    protocol: "crdt",
    mistake: "OR-Set merge drops every dot the other side lacks, even adds it never saw",
    scenario: "crdt-or-set",
    edits: [{
      file: "protocols/crdt/or_set.ts",
      find: "const keep = hasDot(theirs, d) || !theirContext.has(d);",
      replace: "const keep = hasDot(theirs, d);",
    }],
  },
  {
    name: "lww-merge-keeps-older-add",
    protocol: "crdt",
    mistake: "LWW-Element-Set merge keeps the older of two add timestamps",
    scenario: "crdt-lww-set",
    edits: [{
      file: "protocols/crdt/lww_element_set.ts",
      find: "add: later(theirs.add, ours.add) ? theirs.add : ours.add,",
      replace: "add: later(theirs.add, ours.add) ? ours.add : theirs.add,",
    }],
  },
  {
    name: "rga-no-replica-tiebreak",
    protocol: "crdt",
    mistake: "RGA orders sibling inserts by counter only; equal counters from two replicas tie",
    scenario: "crdt-text",
    edits: [{
      file: "protocols/crdt/rga.ts",
      find: "return a[0] - b[0] || compareStrings(a[1], b[1]);",
      replace: "return a[0] - b[0];",
    }],
  },
];
