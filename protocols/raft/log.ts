/**
 * The replicated log of one server, kept on its durable storage.
 *
 * Raft's log is its write-ahead log: a server must have an entry on stable
 * storage before it tells anyone it has it (Figure 2, "persistent state on
 * all servers... updated on stable storage before responding to RPCs").
 * This class writes through: every change reaches `ctx.storage` in the same
 * call, so a crash loses nothing and a restart reads the log back. Each
 * entry is one record, its JSON text under `log/<index>`, as a write-ahead
 * log stores bytes; a restart replays the records from the first index up
 * to the first missing one. `log/meta` records where the log starts after
 * compaction and changes only then.
 *
 * After compaction (§7) the log starts after a snapshot: it knows the index
 * and term of the last entry the snapshot covers, and nothing before it.
 *
 * @module
 */

import type { Storage } from "../../actors/mod.ts";
import { assert } from "./assert.ts";
import type { Entry } from "./messages.ts";

/** What `log/meta` holds. */
interface LogMeta {
  snapshotIndex: number;
  snapshotTerm: number;
}

const META = "log/meta";
const key = (index: number) => `log/${index}`;

/**
 * A Raft log over durable storage. Indices start at 1; index 0 (term 0) is
 * the empty log's "previous entry", and after compaction the snapshot's last
 * entry plays that part.
 *
 * @example
 * ```ts
 * import { MemoryStorage } from "../../actors/mod.ts";
 * import { RaftLog } from "./log.ts";
 * const disk = new MemoryStorage();
 * const log = new RaftLog(disk);
 * log.append([{ term: 1, index: 1, command: { type: "noop" } }]);
 * new RaftLog(disk).lastIndex; // 1: it survived a "restart"
 * ```
 */
export class RaftLog {
  #storage: Storage;
  /** `#entries[k]` has index `#snapshotIndex + 1 + k`. */
  #entries: Entry[] = [];
  #snapshotIndex = 0;
  #snapshotTerm = 0;
  #truncations = 0;
  #truncatedFrom = 0;

  /** Opens the log kept in `storage` (empty if there is none yet). */
  constructor(storage: Storage) {
    this.#storage = storage;
    const meta = storage.get<LogMeta>(META);
    if (meta !== undefined) {
      this.#snapshotIndex = meta.snapshotIndex;
      this.#snapshotTerm = meta.snapshotTerm;
    }
    for (let i = this.#snapshotIndex + 1;; i++) {
      const record = storage.get<string>(key(i));
      if (record === undefined) break;
      const entry = JSON.parse(record) as Entry;
      assert(entry.index === i, () => `log record ${i} holds entry ${entry.index}`);
      this.#entries.push(entry);
    }
  }

  /** Index of the last entry covered by the snapshot (0 before any compaction). */
  get snapshotIndex(): number {
    return this.#snapshotIndex;
  }

  /** Term of the entry at {@linkcode snapshotIndex}. */
  get snapshotTerm(): number {
    return this.#snapshotTerm;
  }

  /** Index of the first entry still held (snapshotIndex + 1). */
  get firstIndex(): number {
    return this.#snapshotIndex + 1;
  }

  /** Index of the last entry, or the snapshot's when no entries follow it. */
  get lastIndex(): number {
    return this.#snapshotIndex + this.#entries.length;
  }

  /** Term of the last entry. */
  get lastTerm(): number {
    const n = this.#entries.length;
    return n === 0 ? this.#snapshotTerm : this.#entries[n - 1].term;
  }

  /** Number of entries held (after the snapshot). */
  get length(): number {
    return this.#entries.length;
  }

  /** How many times entries were removed from the end (conflicts) or the log replaced by a snapshot. */
  get truncations(): number {
    return this.#truncations;
  }

  /** The first index the latest truncation or snapshot restore removed. */
  get truncatedFrom(): number {
    return this.#truncatedFrom;
  }

  /** The term of the entry at `index`, or undefined if it is compacted away or beyond the end. */
  term(index: number): number | undefined {
    if (index === this.#snapshotIndex) return this.#snapshotTerm;
    if (index < this.#snapshotIndex || index > this.lastIndex) return undefined;
    return this.#entries[index - this.#snapshotIndex - 1].term;
  }

  /** The entry at `index`, if held. */
  entry(index: number): Entry | undefined {
    if (index <= this.#snapshotIndex) return undefined;
    return this.#entries[index - this.#snapshotIndex - 1];
  }

  /** Entries `from` through `to` (inclusive); both must be held. */
  slice(from: number, to: number): Entry[] {
    assert(from > this.#snapshotIndex && to <= this.lastIndex, "slice outside the log");
    return this.#entries.slice(from - this.#snapshotIndex - 1, to - this.#snapshotIndex);
  }

  /** Whether the log has an entry at `index` with `term` (the AppendEntries consistency check, §5.3). */
  matches(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /**
   * Whether a log ending at (`lastIndex`, `lastTerm`) is at least as
   * up-to-date as this one (§5.4.1): the later last term wins; with equal
   * last terms, the longer log.
   */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm;
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex);
  }

  /**
   * The largest index <= `index` whose term is <= `term`, with that term:
   * everything above it in this log has a later term than `term`, so cannot
   * match a log whose entry at `index` has term `term` (etcd's
   * findConflictByTerm). Below the snapshot it answers `index` with term 0.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    if (index < this.#snapshotIndex) return { index, term: 0 };
    let i = Math.min(index, this.lastIndex);
    while (i > this.#snapshotIndex && this.term(i)! > term) i--;
    return { index: i, term: this.term(i)! };
  }

  /** Appends `entries`, which must start at lastIndex + 1, and persists them. */
  append(entries: readonly Entry[]): void {
    let last = this.lastIndex, lastTerm = this.lastTerm;
    for (const e of entries) {
      assert(e.index === last + 1, () => `append at ${e.index}, log ends at ${last}`);
      assert(e.term >= lastTerm, () => `term goes down at index ${e.index}`);
      this.#storage.set(key(e.index), JSON.stringify(e));
      this.#entries.push(e);
      last = e.index;
      lastTerm = e.term;
    }
  }

  /** Removes entry `index` and everything after it (a conflicting suffix, §5.3). */
  truncateFrom(index: number): void {
    assert(
      index > this.#snapshotIndex && index <= this.lastIndex,
      () => `truncate from ${index} outside (${this.#snapshotIndex}, ${this.lastIndex}]`,
    );
    for (let i = index; i <= this.lastIndex; i++) this.#storage.delete(key(i));
    this.#entries.length = index - this.#snapshotIndex - 1;
    this.#truncations++;
    this.#truncatedFrom = index;
  }

  /** Discards entries through `index`, now covered by a snapshot (§7). */
  compact(index: number): void {
    assert(
      index > this.#snapshotIndex && index <= this.lastIndex,
      () => `compact to ${index} outside (${this.#snapshotIndex}, ${this.lastIndex}]`,
    );
    const term = this.term(index)!;
    for (let i = this.#snapshotIndex + 1; i <= index; i++) this.#storage.delete(key(i));
    this.#entries = this.#entries.slice(index - this.#snapshotIndex);
    this.#snapshotIndex = index;
    this.#snapshotTerm = term;
    this.#saveMeta();
  }

  /** Replaces the whole log by a snapshot ending at (`index`, `term`) (Figure 13, step 7). */
  restore(index: number, term: number): void {
    for (let i = this.#snapshotIndex + 1; i <= this.lastIndex; i++) this.#storage.delete(key(i));
    this.#truncations++;
    this.#truncatedFrom = this.#snapshotIndex + 1;
    this.#entries = [];
    this.#snapshotIndex = index;
    this.#snapshotTerm = term;
    this.#saveMeta();
  }

  #saveMeta(): void {
    const meta: LogMeta = { snapshotIndex: this.#snapshotIndex, snapshotTerm: this.#snapshotTerm };
    this.#storage.set(META, meta);
  }
}
