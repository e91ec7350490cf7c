/**
 * Durable storage on disk for a node running as a real process: the
 * {@linkcode Storage} of the actor contract, kept in one append-only file
 * per node and forced to the disk (fsync) before the effects of the handler
 * that wrote it leave the process.
 *
 * The file is a log of JSON lines, one per change:
 *
 * ```text
 * {"set":"raft/hard","value":{"term":3,"votedFor":"n2"}}
 * {"delete":"raft/log/7"}
 * ```
 *
 * A write only changes memory and queues its line; {@linkcode DiskStorage.commit}
 * appends the queued lines and calls fsync. The runtime commits after every
 * batch of handlers and before releasing their sends, so nothing a node said
 * can be forgotten by a crash (Raft's "updated on stable storage before
 * responding to RPCs"). A process killed mid-append leaves at most one torn
 * last line, which loading drops: that change was never committed, and no
 * effect of it left the process. When the log grows well past the live data,
 * it is rewritten (to a temporary file, fsync, rename).
 *
 * The file is locked while open, so two processes cannot share a data
 * directory by mistake.
 *
 * @module
 */

import { join } from "node:path";
import { notPlainData } from "../actors/plain_data.ts";
import type { Storage } from "../actors/storage.ts";

/** The log file's name inside a node's data directory. */
export const STORAGE_FILE = "storage.jsonl";

/** Rewrite the log once it is this many times the size of the live data... */
const COMPACT_RATIO = 4;
/** ...and at least this big, in bytes. */
const COMPACT_MIN_BYTES = 1 << 20;

const encoder = new TextEncoder();

/**
 * Storage whose writes become durable at {@linkcode DurableStorage.commit}.
 * The runtime commits before it releases a handler's sends.
 *
 * @example
 * ```ts
 * import type { DurableStorage } from "./disk_storage.ts";
 * import { MemoryStorage } from "../actors/storage.ts";
 * import assert from "node:assert/strict";
 * const memory = Object.assign(new MemoryStorage(), { commit() {} });
 * const s: DurableStorage = memory;
 * s.set("x", 1);
 * s.commit();
 * assert.equal(s.get("x"), 1);
 * ```
 */
export interface DurableStorage extends Storage {
  /** Makes every earlier write durable; returns when it is on disk. */
  commit(): void;
}

/**
 * A node's storage in `dir/storage.jsonl`.
 *
 * @example
 * ```ts
 * import { DiskStorage } from "./disk_storage.ts";
 * import assert from "node:assert/strict";
 * const dir = Deno.makeTempDirSync();
 * const disk = DiskStorage.open(dir);
 * disk.set("term", 3);
 * disk.set("log", [{ term: 1 }]);
 * disk.delete("log");
 * disk.commit(); // appended and fsynced
 * disk.close();
 * const again = DiskStorage.open(dir); // what a restarted process sees
 * assert.equal(again.get("term"), 3);
 * assert.deepEqual(again.keys(), ["term"]);
 * again.close();
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export class DiskStorage implements DurableStorage {
  /** Key -> the value's JSON text (parsing on `get` hands out a fresh copy). */
  #data = new Map<string, string>();
  /** Lines written since the last commit. */
  #pending: string[] = [];
  #file: Deno.FsFile;
  #path: string;
  #dir: string;
  /** Bytes in the log file. */
  #fileBytes: number;
  /** Bytes the live data would take as a fresh log. */
  #liveBytes = 0;
  /** Commits so far (each one fsync), for tests and statistics. */
  commits = 0;

  private constructor(dir: string, file: Deno.FsFile, data: Map<string, string>, bytes: number) {
    this.#dir = dir;
    this.#path = join(dir, STORAGE_FILE);
    this.#file = file;
    this.#data = data;
    this.#fileBytes = bytes;
    for (const [k, v] of data) this.#liveBytes += setLine(k, v).length + 1;
  }

  /**
   * Opens (creating it if needed) the storage in directory `dir`. Throws when
   * the file is corrupt before its last line, or when another process has it
   * open.
   */
  static open(dir: string): DiskStorage {
    Deno.mkdirSync(dir, { recursive: true });
    const path = join(dir, STORAGE_FILE);
    const file = Deno.openSync(path, { read: true, write: true, create: true });
    if (!file.tryLockSync(true)) {
      file.close();
      throw new Error(`storage ${path} is in use by another process`);
    }
    try {
      const { data, goodBytes, totalBytes } = load(path);
      // A torn last line (the process died mid-append) was never committed: cut it off.
      if (goodBytes < totalBytes) file.truncateSync(goodBytes);
      file.seekSync(0, Deno.SeekMode.End);
      return new DiskStorage(dir, file, data, goodBytes);
    } catch (e) {
      file.close();
      throw e;
    }
  }

  get<T>(key: string): T | undefined {
    const text = this.#data.get(key);
    return text === undefined ? undefined : JSON.parse(text) as T;
  }

  set<T>(key: string, value: T): void {
    const bad = notPlainData(value);
    if (bad !== undefined) {
      throw new TypeError(
        `storage.set(${JSON.stringify(key)}): only plain data can go to disk; ${
          bad.replace("the message", "the value")
        }`,
      );
    }
    const text = JSON.stringify(value);
    const old = this.#data.get(key);
    if (old !== undefined) this.#liveBytes -= setLine(key, old).length + 1;
    this.#data.set(key, text);
    const line = setLine(key, text);
    this.#liveBytes += line.length + 1;
    this.#pending.push(line);
  }

  delete(key: string): void {
    const old = this.#data.get(key);
    if (old === undefined) return;
    this.#liveBytes -= setLine(key, old).length + 1;
    this.#data.delete(key);
    this.#pending.push(`{"delete":${JSON.stringify(key)}}`);
  }

  keys(): string[] {
    return [...this.#data.keys()];
  }

  /** Whether writes wait for a commit. */
  get dirty(): boolean {
    return this.#pending.length > 0;
  }

  commit(): void {
    if (this.#pending.length === 0) return;
    const bytes = encoder.encode(this.#pending.join("\n") + "\n");
    this.#pending.length = 0;
    writeAll(this.#file, bytes);
    this.#file.syncDataSync();
    this.#fileBytes += bytes.length;
    this.commits++;
    if (this.#fileBytes > COMPACT_MIN_BYTES && this.#fileBytes > COMPACT_RATIO * this.#liveBytes) {
      this.#compact();
    }
  }

  /** Commits what is pending and releases the file. */
  close(): void {
    this.commit();
    this.#file.close();
  }

  /** Rewrites the log as one `set` line per live key, atomically. */
  #compact(): void {
    const tmp = `${this.#path}.tmp`;
    const lines = [...this.#data].map(([k, v]) => setLine(k, v) + "\n").join("");
    const bytes = encoder.encode(lines);
    const out = Deno.openSync(tmp, { write: true, create: true, truncate: true });
    try {
      writeAll(out, bytes);
      out.syncDataSync();
    } finally {
      out.close();
    }
    // The lock lives on the open file: take it on the new one before the rename.
    const next = Deno.openSync(tmp, { read: true, write: true });
    next.lockSync(true);
    Deno.renameSync(tmp, this.#path);
    syncDirectory(this.#dir);
    this.#file.close();
    this.#file = next;
    this.#file.seekSync(0, Deno.SeekMode.End);
    this.#fileBytes = bytes.length;
  }
}

function setLine(key: string, valueJson: string): string {
  return `{"set":${JSON.stringify(key)},"value":${valueJson}}`;
}

/** Reads a log: the data, and how many bytes of it are whole lines that parse. */
function load(path: string): { data: Map<string, string>; goodBytes: number; totalBytes: number } {
  const bytes = Deno.readFileSync(path);
  const text = new TextDecoder().decode(bytes);
  const data = new Map<string, string>();
  const lines = text.split("\n");
  let goodBytes = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const last = i === lines.length - 1;
    if (last && line === "") break; // the file ends with a newline: all lines whole
    let record: { set?: string; value?: unknown; delete?: string };
    try {
      if (last) throw new Error("no newline"); // torn: the append never finished
      record = JSON.parse(line);
    } catch (e) {
      if (last || lines.slice(i + 1).every((l) => l === "")) break;
      throw new Error(`storage ${path} is corrupt at line ${i + 1}: ${(e as Error).message}`);
    }
    if (typeof record.set === "string") data.set(record.set, JSON.stringify(record.value));
    else if (typeof record.delete === "string") data.delete(record.delete);
    else throw new Error(`storage ${path} line ${i + 1} is neither a set nor a delete`);
    goodBytes += encoder.encode(line).length + 1;
  }
  return { data, goodBytes, totalBytes: bytes.length };
}

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
}

/** Makes a rename in `dir` durable (where the platform allows opening a directory). */
function syncDirectory(dir: string): void {
  try {
    const d = Deno.openSync(dir, { read: true });
    try {
      d.syncSync();
    } finally {
      d.close();
    }
  } catch {
    // Not every platform can fsync a directory; the rename itself is atomic.
  }
}
