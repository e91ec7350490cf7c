/**
 * The scheduler's priority queue: a binary min-heap over parallel typed
 * arrays, ordered by (time, sequence number). Times are whole microseconds
 * of virtual time; the sequence number breaks ties, so the order of events
 * at one instant never depends on the JavaScript engine. Each entry carries
 * a slot number: the index of the event's fields in the simulator's own
 * struct-of-arrays, so the heap moves three numbers and allocates nothing.
 *
 * Why not a calendar or radix queue in front of it: with the few to few
 * hundred events in flight of a protocol run, the heap's depth is under ten
 * and its arrays stay in cache; the scheduler benchmark
 * (`tests/bench/scheduler_ratio.ts`) measures the whole loop against a bare
 * loop over this same heap.
 *
 * @module
 */

/**
 * A min-heap of (time, seq, slot) triples.
 *
 * @example
 * ```ts
 * import { EventHeap } from "./event_heap.ts";
 * import assert from "node:assert/strict";
 * const heap = new EventHeap();
 * heap.push(30, 0, 7);
 * heap.push(10, 1, 8);
 * heap.push(10, 2, 9);
 * assert.equal(heap.peekTime(), 10);
 * assert.deepEqual([heap.pop(), heap.pop(), heap.pop()], [8, 9, 7]);
 * assert.equal(heap.size, 0);
 * // Out of order, for exhaustive checking: take slot 9 out, the rest keep their order.
 * for (const [t, s] of [[5, 7], [1, 8], [3, 9], [4, 10]]) heap.push(t, s, s);
 * assert.equal(heap.remove(9), true);
 * assert.deepEqual([heap.pop(), heap.pop(), heap.pop()], [8, 10, 7]);
 * ```
 */
export class EventHeap {
  #times = new Float64Array(64);
  // Float64, not Uint32: a long run can push more than 2^32 events.
  #seqs = new Float64Array(64);
  #slots = new Int32Array(64);
  #size = 0;

  /** Number of entries waiting. */
  get size(): number {
    return this.#size;
  }

  /** Time of the earliest entry; Infinity when empty. */
  peekTime(): number {
    return this.#size > 0 ? this.#times[0] : Infinity;
  }

  /** Slot of the earliest entry; -1 when empty. */
  peekSlot(): number {
    return this.#size > 0 ? this.#slots[0] : -1;
  }

  /** Adds `slot` at `time` with tie-breaker `seq`. */
  push(time: number, seq: number, slot: number): void {
    let i = this.#size++;
    if (i === this.#times.length) this.#grow();
    const times = this.#times, seqs = this.#seqs, slots = this.#slots;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent];
      if (pt < time || (pt === time && seqs[parent] < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent];
      slots[i] = slots[parent];
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    slots[i] = slot;
  }

  /** Removes the earliest entry and returns its slot; -1 when empty. */
  pop(): number {
    const n = this.#size;
    if (n === 0) return -1;
    const times = this.#times, seqs = this.#seqs, slots = this.#slots;
    const top = slots[0];
    const size = n - 1;
    this.#size = size;
    if (size > 0) {
      const lastTime = times[size], lastSeq = seqs[size], lastSlot = slots[size];
      let i = 0;
      while (true) {
        let child = 2 * i + 1;
        if (child >= size) break;
        let ct = times[child];
        const right = child + 1;
        if (right < size) {
          const rt = times[right];
          if (rt < ct || (rt === ct && seqs[right] < seqs[child])) {
            child = right;
            ct = rt;
          }
        }
        if (lastTime < ct || (lastTime === ct && lastSeq < seqs[child])) break;
        times[i] = ct;
        seqs[i] = seqs[child];
        slots[i] = slots[child];
        i = child;
      }
      times[i] = lastTime;
      seqs[i] = lastSeq;
      slots[i] = lastSlot;
    }
    return top;
  }

  /** Removes every entry. */
  clear(): void {
    this.#size = 0;
  }

  /**
   * Calls `visit` with every entry's time, sequence number and slot, in no
   * particular order (exhaustive checking lists what may happen next).
   */
  forEach(visit: (time: number, seq: number, slot: number) => void): void {
    for (let i = 0; i < this.#size; i++) visit(this.#times[i], this.#seqs[i], this.#slots[i]);
  }

  /**
   * Removes the entry holding `slot`, wherever it is in the heap; returns
   * whether there was one. Linear in the heap's size: for exhaustive
   * checking, which takes events out of order, not for the run loop.
   */
  remove(slot: number): boolean {
    const slots = this.#slots;
    let i = 0;
    while (i < this.#size && slots[i] !== slot) i++;
    if (i === this.#size) return false;
    const last = --this.#size;
    if (i === last) return true;
    const time = this.#times[last], seq = this.#seqs[last], moved = slots[last];
    // The last entry fills the hole: up if it is earlier than the hole's parent, else down.
    const times = this.#times, seqs = this.#seqs;
    const before = (a: number, b: number) =>
      times[a] < times[b] || (times[a] === times[b] && seqs[a] < seqs[b]);
    times[i] = time;
    seqs[i] = seq;
    slots[i] = moved;
    const swap = (a: number, b: number) => {
      [times[a], times[b]] = [times[b], times[a]];
      [seqs[a], seqs[b]] = [seqs[b], seqs[a]];
      [slots[a], slots[b]] = [slots[b], slots[a]];
    };
    while (i > 0 && before(i, (i - 1) >> 1)) {
      swap(i, (i - 1) >> 1);
      i = (i - 1) >> 1;
    }
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < this.#size && before(l, m)) m = l;
      if (r < this.#size && before(r, m)) m = r;
      if (m === i) return true;
      swap(i, m);
      i = m;
    }
  }

  /** The slots of every entry, in no particular order (for inspection). */
  slots(): Int32Array {
    return this.#slots.slice(0, this.#size);
  }

  #grow(): void {
    const n = this.#times.length * 2;
    const times = new Float64Array(n);
    times.set(this.#times);
    this.#times = times;
    const seqs = new Float64Array(n);
    seqs.set(this.#seqs);
    this.#seqs = seqs;
    const slots = new Int32Array(n);
    slots.set(this.#slots);
    this.#slots = slots;
  }
}
