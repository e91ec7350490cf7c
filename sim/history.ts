/**
 * Client histories: what clients asked for and what they were told, with
 * virtual call and return times. Checkers (linearizability, convergence) read
 * these; the simulator writes them through `ctx.invoke` and `ctx.complete`.
 *
 * A history is stored in columns, not as one object per operation: client
 * and function names as indexes into a small table of names, call and return
 * times in `Float64Array`s, the status in a `Uint8Array`, and only the input
 * and output as the values the client gave. That is about 30 bytes per
 * operation plus its input and output, where an object per operation cost
 * about 200. {@linkcode History.operations} still hands out `Operation`
 * objects, built on first use; readers of long histories use the accessors
 * ({@linkcode History.status}, {@linkcode History.call}, ...) instead.
 *
 * A long run can keep its history bounded: a checker that has judged the
 * oldest operations {@linkcode History.release}s them (ids stay stable; the
 * counts by status cover every operation ever recorded).
 *
 * @module
 */

import type { NodeId, OpId, OpStatus } from "../actors/mod.ts";

/**
 * One client operation. `status` is `pending` while it has not returned; a
 * pending or `info` operation may or may not have taken effect, and a `fail`
 * one did not.
 *
 * @example
 * ```ts
 * import { History, type Operation } from "./history.ts";
 * import assert from "node:assert/strict";
 * const h = new History();
 * h.complete(h.invoke("c1", "write", 3, 10), undefined, "ok", 25);
 * const op: Operation = h.operations[0];
 * assert.deepEqual(op, {
 *   id: 0, client: "c1", f: "write", input: 3, output: undefined,
 *   call: 10, ret: 25, status: "ok",
 * });
 * ```
 */
export interface Operation {
  /** Unique within the history, in invocation order. */
  id: OpId;
  /** The node (client) that invoked it. */
  client: NodeId;
  /** The operation's name: `read`, `write`, `cas`, `put`, `add`, ... */
  f: string;
  /** The argument. */
  input: unknown;
  /** The result, when it returned. */
  output: unknown;
  /** Global virtual time of the invocation. */
  call: number;
  /** Global virtual time of the return, or `Infinity` while pending. */
  ret: number;
  /** How it ended, or `pending`. */
  status: OpStatus | "pending";
}

/** Status codes of the status column. */
const STATUS: readonly (OpStatus | "pending")[] = ["pending", "ok", "fail", "info"];
const PENDING = 0;

function statusCode(status: OpStatus): number {
  switch (status) {
    case "ok":
      return 1;
    case "fail":
      return 2;
    case "info":
      return 3;
    default: {
      const never: never = status;
      throw new RangeError(`complete: status must be ok, fail or info, got ${String(never)}`);
    }
  }
}

/**
 * An append-only record of client operations, kept in columns.
 *
 * @example
 * ```ts
 * import { History } from "./history.ts";
 * import assert from "node:assert/strict";
 * const h = new History();
 * const id = h.invoke("c1", "write", 1, 0);
 * h.complete(id, undefined, "ok", 5);
 * assert.equal(h.operations[0].status, "ok");
 * assert.equal(h.status(id), "ok");
 * assert.equal(h.count("ok"), 1);
 * ```
 */
export class History {
  /** Id of the operation in slot 0. */
  #base = 0;
  /** Slots in use: ids `#base .. #base + #size - 1`. */
  #size = 0;
  /** Ids below this were released. */
  #first = 0;
  #client = new Uint16Array(64);
  #f = new Uint16Array(64);
  #status = new Uint8Array(64);
  #call = new Float64Array(64);
  #ret = new Float64Array(64);
  #input: unknown[] = [];
  #output: unknown[] = [];
  /** Client and function names, each stored once. */
  #names: string[] = [];
  #nameIndex = new Map<string, number>();
  /** Operations by status code, over every operation ever recorded. */
  #counts = [0, 0, 0, 0];
  /** The held operations as objects, built by `operations` and kept in step after. */
  #objects: Operation[] | null = null;
  #listeners: Array<(id: OpId) => void> = [];
  #retainers: Array<() => OpId> = [];

  /**
   * The operations held, in invocation order, as objects. Built on first use
   * (an object per operation) and kept in step from then on; the checkers
   * and long runs read the columns through the accessors instead. After
   * {@linkcode History.release}, `operations[0].id` is {@linkcode History.first}.
   */
  get operations(): Operation[] {
    if (this.#objects === null) {
      const out: Operation[] = new Array(this.#size - (this.#first - this.#base));
      for (let id = this.#first, k = 0; id < this.length; id++, k++) out[k] = this.op(id);
      this.#objects = out;
    }
    return this.#objects;
  }

  /** How many operations were ever invoked: ids run from 0 to `length - 1`. */
  get length(): number {
    return this.#base + this.#size;
  }

  /** The oldest id still held (operations below it were released). */
  get first(): OpId {
    return this.#first;
  }

  /** How many operations are held in memory. */
  get held(): number {
    return this.length - this.#first;
  }

  /** How many operations ever recorded have this status now. */
  count(status: OpStatus | "pending"): number {
    const code = STATUS.indexOf(status);
    if (code < 0) throw new RangeError(`count: unknown status ${JSON.stringify(status)}`);
    return this.#counts[code];
  }

  /** Records an invocation at global time `at` and returns its id. */
  invoke(client: NodeId, f: string, input: unknown, at: number): OpId {
    const id = this.length;
    if (this.#size === this.#call.length) this.#grow();
    const s = this.#size++;
    this.#client[s] = this.#name(client);
    this.#f[s] = this.#name(f);
    this.#status[s] = PENDING;
    this.#call[s] = at;
    this.#ret[s] = Infinity;
    this.#input[s] = input;
    this.#output[s] = undefined;
    this.#counts[PENDING]++;
    this.#objects?.push(this.op(id));
    return id;
  }

  /** Records the return of `id`. Throws if `id` is unknown, released or already returned. */
  complete(id: OpId, output: unknown, status: OpStatus, at: number): void {
    const s = this.#slot(id, "complete");
    if (this.#status[s] !== PENDING) {
      throw new RangeError(
        `complete: operation ${id} (${this.f(id)} by ${this.client(id)}) already returned`,
      );
    }
    const code = statusCode(status);
    this.#status[s] = code;
    this.#ret[s] = at;
    this.#output[s] = output;
    this.#counts[PENDING]--;
    this.#counts[code]++;
    if (this.#objects !== null) {
      const op = this.#objects[id - this.#first];
      op.output = output;
      op.status = status;
      op.ret = at;
    }
    for (const listener of this.#listeners) listener(id);
  }

  /** Operations that returned `ok`, of those held. */
  completed(): Operation[] {
    const out: Operation[] = [];
    for (let id = this.#first; id < this.length; id++) {
      if (this.#status[id - this.#base] === 1) out.push(this.op(id));
    }
    return out;
  }

  /** Whether `id` is recorded and still held. */
  has(id: OpId): boolean {
    return Number.isInteger(id) && id >= this.#first && id < this.length;
  }

  /** Operation `id` as a new object. */
  op(id: OpId): Operation {
    const s = this.#slot(id, "op");
    return {
      id,
      client: this.#names[this.#client[s]],
      f: this.#names[this.#f[s]],
      input: this.#input[s],
      output: this.#output[s],
      call: this.#call[s],
      ret: this.#ret[s],
      status: STATUS[this.#status[s]],
    };
  }

  /** The status of `id`. */
  status(id: OpId): OpStatus | "pending" {
    return STATUS[this.#status[this.#slot(id, "status")]];
  }

  /** The call time of `id`. */
  call(id: OpId): number {
    return this.#call[this.#slot(id, "call")];
  }

  /** The return time of `id` (`Infinity` while pending). */
  ret(id: OpId): number {
    return this.#ret[this.#slot(id, "ret")];
  }

  /** The client that invoked `id`. */
  client(id: OpId): NodeId {
    return this.#names[this.#client[this.#slot(id, "client")]];
  }

  /** The function name of `id`. */
  f(id: OpId): string {
    return this.#names[this.#f[this.#slot(id, "f")]];
  }

  /** The input of `id`. */
  input(id: OpId): unknown {
    return this.#input[this.#slot(id, "input")];
  }

  /** The output of `id` (`undefined` while pending). */
  output(id: OpId): unknown {
    return this.#output[this.#slot(id, "output")];
  }

  /**
   * Calls `listener` with the id of every operation that completes from now
   * on, after it is recorded (a checker that works as the run goes).
   */
  onComplete(listener: (id: OpId) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Keeps every operation from `reader()` on in memory, whoever releases: a
   * reader that walks the history with a cursor (a liveness monitor, say)
   * passes its cursor.
   */
  retain(reader: () => OpId): void {
    this.#retainers.push(reader);
  }

  /**
   * Forgets the operations with ids below `before` (or below what a
   * {@linkcode History.retain} reader still needs, if that is lower); they
   * must all have returned. The counts keep them; ids stay as they were.
   * Memory is given back once the released slots are at least half of the
   * storage.
   */
  release(before: OpId): void {
    if (!(Number.isInteger(before) && before <= this.length)) {
      throw new RangeError(
        `release: before must be a whole number <= ${this.length}, got ${before}`,
      );
    }
    for (const reader of this.#retainers) before = Math.min(before, reader());
    if (before <= this.#first) return;
    for (let id = this.#first; id < before; id++) {
      if (this.#status[id - this.#base] === PENDING) {
        throw new RangeError(`release: operation ${id} is still pending`);
      }
    }
    if (this.#objects !== null) this.#objects.splice(0, before - this.#first);
    const from = this.#first - this.#base, to = before - this.#base;
    this.#input.fill(undefined, from, to);
    this.#output.fill(undefined, from, to);
    this.#first = before;
    if (2 * to >= this.#size && to >= 64) this.#compact(to);
  }

  #slot(id: OpId, what: string): number {
    if (!(id >= this.#first && id < this.length && Number.isInteger(id))) {
      const why = id >= 0 && id < this.#first ? " (released)" : "";
      throw new RangeError(`${what}: unknown operation id ${id}${why}`);
    }
    return id - this.#base;
  }

  #name(name: string): number {
    let i = this.#nameIndex.get(name);
    if (i === undefined) {
      i = this.#names.length;
      if (i > 0xffff) throw new RangeError("history: more than 65,536 client and function names");
      this.#names.push(name);
      this.#nameIndex.set(name, i);
    }
    return i;
  }

  /** Moves the held slots from `from` on to the front. */
  #compact(from: number): void {
    const n = this.#size - from;
    this.#client.copyWithin(0, from, this.#size);
    this.#f.copyWithin(0, from, this.#size);
    this.#status.copyWithin(0, from, this.#size);
    this.#call.copyWithin(0, from, this.#size);
    this.#ret.copyWithin(0, from, this.#size);
    this.#input.splice(0, from);
    this.#output.splice(0, from);
    this.#base += from;
    this.#size = n;
    // Shrink the columns when a quarter of them would do.
    if (this.#call.length > 256 && 4 * n < this.#call.length) this.#resize(this.#call.length / 2);
  }

  #grow(): void {
    this.#resize(this.#call.length * 2);
  }

  #resize(capacity: number): void {
    const n = this.#size;
    const copy = <A extends Uint8Array | Uint16Array | Float64Array>(a: A, b: A): A => {
      b.set(a.subarray(0, n));
      return b;
    };
    this.#client = copy(this.#client, new Uint16Array(capacity));
    this.#f = copy(this.#f, new Uint16Array(capacity));
    this.#status = copy(this.#status, new Uint8Array(capacity));
    this.#call = copy(this.#call, new Float64Array(capacity));
    this.#ret = copy(this.#ret, new Float64Array(capacity));
  }
}
