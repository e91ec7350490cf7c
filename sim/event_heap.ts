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
