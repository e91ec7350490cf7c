/**
 * Mutants of the broadcast protocols: the reliable link underneath, FIFO,
 * causal and total order broadcast.
 *
 * @module
 */

import type { Mutant } from "./mutant.ts";

/** Broadcast mistakes. */
export const broadcastMutants: Mutant[] = [
  {
    name: "link-seq-not-reloaded",
    protocol: "broadcast",
    mistake: "the reliable link does not reload its send sequence numbers on restart, " +
      "so new messages reuse numbers the receiver drops as duplicates",
    scenario: "broadcast-fifo",
    edits: [{
      file: "protocols/broadcast/reliable_link.ts",
      find: "for (const map of [this.#next, this.#unacked, this.#upto, this.#above])",
      replace: "for (const map of [this.#unacked, this.#upto, this.#above])",
    }],
  },
  {
    name: "fifo-link-hands-up-early",
    protocol: "broadcast",
    mistake: "the FIFO link hands an early message up at once, as well as holding it",
    scenario: "broadcast-total",
    edits: [{
      file: "protocols/broadcast/reliable_link.ts",
      find: "if (!this.fifo) this.#deliver(host, from, body);",
      replace: "this.#deliver(host, from, body);",
    }],
  },
  {
    name: "fifo-no-drain",
    protocol: "broadcast",
    mistake: "FIFO delivery delivers the next message but forgets the later ones it held back",
    scenario: "broadcast-fifo",
    edits: [{
      file: "protocols/broadcast/fifo.ts",
      find: "this.deliverToHost(ctx, messageId(origin, seq + 1), origin, payload);",
      replace:
        "this.deliverToHost(ctx, messageId(origin, seq + 1), origin, payload);\n      return;",
    }],
  },
  {
    name: "fifo-seq-not-saved",
    protocol: "broadcast",
    mistake: "FIFO broadcast does not save its sequence number, so a restart numbers from 0 again",
    scenario: "broadcast-fifo",
    edits: [{
      file: "protocols/broadcast/fifo.ts",
      find: '    ctx.storage.set("send-seq", this.#sendSeq);\n',
      replace: "",
    }],
  },
  {
    name: "causal-sender-entry-only",
    protocol: "broadcast",
    mistake: "causal delivery checks only the sender's entry of the dependencies (FIFO's rule)",
    scenario: "broadcast-causal",
    edits: [{
      file: "protocols/broadcast/causal.ts",
      find: "new VectorClock(m.deps).lessOrEqual(this.#delivered)",
      replace: "new VectorClock(m.deps).get(m.origin) <= this.#delivered.get(m.origin)",
    }],
  },
  {
    name: "causal-count-own-entry",
    protocol: "broadcast",
    mistake: "causal delivery counts a delivered message in its own entry, as a vector clock " +
      "ticks on receive, not in the sender's",
    scenario: "broadcast-causal",
    edits: [{
      file: "protocols/broadcast/causal.ts",
      find: "this.#delivered = this.#delivered.tick(m.origin);",
      replace: "this.#delivered = this.#delivered.tick(ctx.self);",
    }],
  },
  {
    name: "total-lamport-no-tiebreak",
    protocol: "broadcast",
    mistake: "Lamport total order compares timestamps only, without the node id to break ties",
    scenario: "broadcast-total",
    edits: [{
      file: "protocols/broadcast/total_lamport.ts",
      find:
        "return compareLamport({ time: a.time, node: a.origin }, { time: b.time, node: b.origin });",
      replace: "return a.time - b.time;",
    }],
  },
];
