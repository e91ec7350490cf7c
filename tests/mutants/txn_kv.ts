/**
 * Mutants of the transactional key-value store (strict 2PL under 2PC).
 *
 * @module
 */

import type { Mutant } from "./mutant.ts";

/** Transactional key-value store mistakes. */
export const txnKvMutants: Mutant[] = [
  {
    name: "write-lock-ignores-readers",
    protocol: "txn-kv",
    mistake: "an exclusive lock is granted while other transactions hold shared locks on the key",
    scenario: "txn-kv",
    edits: [{
      file: "protocols/txn_kv/lock_table.ts",
      find: "    if (readers !== undefined && [...readers].some((r) => r !== txn)) return false;\n",
      replace: "",
    }],
  },
  {
    name: "prepared-locks-not-restored",
    protocol: "txn-kv",
    mistake: "a restarted shard reloads its prepared transactions but not the locks they hold",
    scenario: "txn-kv",
    edits: [{
      file: "protocols/txn_kv/shard.ts",
      find:
        "        this.#locks.restore(txn, prepared.locks); // prepared: it keeps its locks across a crash\n",
      replace: "",
    }],
  },
];
