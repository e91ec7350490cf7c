/**
 * The replicated log of one server, kept on its durable storage.
 *
 * Raft's log is its write-ahead log: a server must have an entry on stable
 * storage before it tells anyone it has it (Figure 2, "persistent state on
 * all servers... updated on stable storage before responding to RPCs").
 * This class writes through: every change reaches `ctx.storage` in the same
 * call, so a crash loses nothing and a restart reads the log back.
 *
 * The disk holds records the way a write-ahead log holds them: one record
 * per append (a whole AppendEntries batch, or one proposal), its JSON text
 * under `log/<first index>`, written once. In memory the log is an array of
 * entries and an array of their sizes in bytes (for flow control). A
 * truncation deletes the records past the cut and rewrites the one it cuts
 * through; compaction deletes the records it covers whole. A restart lists
 * the records, replays them in index order and skips what the snapshot
 * covers. `log/meta` records where the log starts after compaction and
 * changes only then.
 *
 * After compaction (§7) the log starts after a snapshot: it knows the index
 * and term of the last entry the snapshot covers, and nothing before it.
 *
 * @module
 */

import { frozenPlain, type Storage } from "../../actors/mod.ts";
import { assert } from "./assert.ts";
import type { Entry } from "./messages.ts";
import type { KvOp } from "./state_machine.ts";

/** What `log/meta` holds. */
interface LogMeta {
  snapshotIndex: number;
  snapshotTerm: number;
}

const META = "log/meta";
const PREFIX = "log/";
const key = (first: number) => `${PREFIX}${first}`;

/**
 * A Raft log over durable storage. Indices start at 1; index 0 (term 0) is
 * the empty log's "previous entry", and after compaction the snapshot's last
 * entry plays that part.
 *
 * @example
 * ```ts
 * import { MemoryStorage } from "../../actors/mod.ts";
 * import { RaftLog } from "./log.ts";
 * import assert from "node:assert/strict";
 * const disk = new MemoryStorage();
 * const log = new RaftLog(disk);
 * log.append([{ term: 1, index: 1, command: { type: "noop" } }]);
 * assert.equal(new RaftLog(disk).lastIndex, 1); // it survived a "restart"
 * ```
 */
export class RaftLog<C = KvOp> {
  #storage: Storage;
  /** `#entries[k]` has index `#snapshotIndex + 1 + k`. */
  #entries: Entry<C>[] = [];
  /** `#sizes[k]`: the bytes `#entries[k]` takes on disk and on the wire (estimated per batch). */
  #sizes: number[] = [];
  /** First index of each record on disk, ascending. */
  #records: number[] = [];
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
    const firsts = storage.keys()
      .filter((k) => k.startsWith(PREFIX) && k !== META)
      .map((k) => Number(k.slice(PREFIX.length)))
      .sort((a, b) => a - b);
    for (const first of firsts) {
      const text = storage.get<string>(key(first))!;
      const batch = JSON.parse(text) as Entry<C>[];
      const size = text.length / batch.length;
      assert(batch[0].index === first, () => `log record ${first} starts at ${batch[0].index}`);
      for (const e of batch) {
        if (e.index <= this.#snapshotIndex) continue; // covered by the snapshot
        assert(e.index === this.lastIndex + 1, () => `log record ${first} leaves a gap`);
        this.#entries.push(frozenPlain(e));
        this.#sizes.push(size);
      }
      this.#records.push(first);
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
  entry(index: number): Entry<C> | undefined {
    if (index <= this.#snapshotIndex) return undefined;
    return this.#entries[index - this.#snapshotIndex - 1];
  }

  /** Entries `from` through `to` (inclusive); both must be held. */
  slice(from: number, to: number): Entry<C>[] {
    assert(from > this.#snapshotIndex && to <= this.lastIndex, "slice outside the log");
    return this.#entries.slice(from - this.#snapshotIndex - 1, to - this.#snapshotIndex);
  }

  /** The size in bytes of entry `index` (an estimate for entries that came in a batch). */
  size(index: number): number {
    return this.#sizes[index - this.#snapshotIndex - 1] ?? 0;
  }

  /**
   * The last index of a message that starts at `from` and carries at most
   * `maxEntries` entries and, past the first entry, at most `maxBytes`
   * bytes (etcd's `maxMsgSize`: one entry always goes, however large).
   */
  batchEnd(from: number, maxEntries: number, maxBytes: number): number {
    const last = Math.min(this.lastIndex, from + maxEntries - 1);
    let bytes = 0;
    for (let i = from; i <= last; i++) {
      bytes += this.size(i);
      if (bytes > maxBytes && i > from) return i - 1;
    }
    return last;
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

  /**
   * The AppendEntries receiver's rules 2 to 4 (Figure 2; etcd's
   * `raftLog.maybeAppend`): if this log holds (`prevIndex`, `prevTerm`),
   * delete the first existing entry that conflicts with one of `entries`
   * and everything after it, append the entries not already here, and
   * return the index of the last new entry; otherwise return undefined and
   * change nothing. An entry already here stays, and so does what follows
   * it: a delayed, shorter AppendEntries must not cut off newer entries.
   * `committed` is the caller's commit index: a conflict at or below it
   * would overwrite a committed entry, which Raft rules out.
   */
  maybeAppend(
    prevIndex: number,
    prevTerm: number,
    entries: readonly Entry<C>[],
    committed: number,
  ): number | undefined {
    if (!this.matches(prevIndex, prevTerm)) return undefined;
    let i = 0;
    for (; i < entries.length; i++) {
      const mine = this.term(entries[i].index);
      if (mine === undefined) break;
      if (mine !== entries[i].term) {
        assert(entries[i].index > committed, "a committed entry would be overwritten");
        this.truncateFrom(entries[i].index);
        break;
      }
    }
    if (i < entries.length) this.append(i === 0 ? entries : entries.slice(i));
    return prevIndex + entries.length;
  }

  /** Appends `entries`, which must start at lastIndex + 1, and persists them as one record. */
  append(entries: readonly Entry<C>[]): void {
    if (entries.length === 0) return;
    let last = this.lastIndex, lastTerm = this.lastTerm;
    for (const e of entries) {
      assert(e.index === last + 1, () => `append at ${e.index}, log ends at ${last}`);
      assert(e.term >= lastTerm, () => `term goes down at index ${e.index}`);
      last = e.index;
      lastTerm = e.term;
    }
    const text = JSON.stringify(entries);
    const first = entries[0].index;
    this.#storage.set(key(first), text);
    this.#records.push(first);
    const size = text.length / entries.length;
    for (const e of entries) {
      // An entry never changes once in a log: frozen, it travels in
      // AppendEntries without a copy per message (the send shares it).
      this.#entries.push(frozenPlain(e));
      this.#sizes.push(size);
    }
  }

  /** Removes entry `index` and everything after it (a conflicting suffix, §5.3). */
  truncateFrom(index: number): void {
    assert(
      index > this.#snapshotIndex && index <= this.lastIndex,
      () => `truncate from ${index} outside (${this.#snapshotIndex}, ${this.lastIndex}]`,
    );
    const records = this.#records;
    while (records.length > 0 && records[records.length - 1] >= index) {
      this.#storage.delete(key(records.pop()!));
    }
    const keep = index - this.#snapshotIndex - 1;
    this.#entries.length = keep;
    this.#sizes.length = keep;
    // The record the cut goes through keeps its head: write that part again.
    const first = records[records.length - 1];
    if (first !== undefined && first > this.#snapshotIndex) {
      this.#storage.set(key(first), JSON.stringify(this.slice(first, index - 1)));
    } else if (first !== undefined) {
      // It starts inside the snapshot: rewrite what the log still holds of it.
      records.pop();
      this.#storage.delete(key(first));
      if (keep > 0) {
        const from = this.#snapshotIndex + 1;
        this.#storage.set(key(from), JSON.stringify(this.slice(from, index - 1)));
        records.push(from);
      }
    }
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
    // A record is covered whole when the next one starts at or below index + 1.
    const records = this.#records;
    let drop = 0;
    while (drop + 1 < records.length && records[drop + 1] <= index + 1) {
      this.#storage.delete(key(records[drop]));
      drop++;
    }
    if (drop === records.length - 1 && index === this.lastIndex) {
      this.#storage.delete(key(records[drop]));
      drop++;
    }
    if (drop > 0) records.splice(0, drop);
    this.#entries = this.#entries.slice(index - this.#snapshotIndex);
    this.#sizes = this.#sizes.slice(index - this.#snapshotIndex);
    this.#snapshotIndex = index;
    this.#snapshotTerm = term;
    this.#saveMeta();
  }

  /** Replaces the whole log by a snapshot ending at (`index`, `term`) (Figure 13, step 7). */
  restore(index: number, term: number): void {
    for (const first of this.#records) this.#storage.delete(key(first));
    this.#records = [];
    this.#truncations++;
    this.#truncatedFrom = this.#snapshotIndex + 1;
    this.#entries = [];
    this.#sizes = [];
    this.#snapshotIndex = index;
    this.#snapshotTerm = term;
    this.#saveMeta();
  }

  #saveMeta(): void {
    const meta: LogMeta = { snapshotIndex: this.#snapshotIndex, snapshotTerm: this.#snapshotTerm };
    this.#storage.set(META, meta);
  }
}
