/**
 * The scheduler's priority queue: a binary min-heap ordered by (virtual time,
 * sequence number). The sequence number is assigned at push, so two events at
 * the same time leave in the order they were scheduled, and the order never
 * depends on the JavaScript engine's sort.
 *
 * Hand-written rather than taken from a package because it is the hottest code
 * in the simulator; `bench/scheduler_bench.ts` keeps the numbers that justify it.
 *
 * @module
 */

/**
 * What the queue needs of an entry. The queue writes `seq` itself.
 *
 * @example
 * ```ts
 * import type { Timed } from "./event_queue.ts";
 * const e: Timed = { time: 10, seq: 0 };
 * ```
 */
export interface Timed {
  time: number;
  seq: number;
}

/**
 * A min-heap of timed entries.
 *
 * @example
 * ```ts
 * import { EventQueue } from "./event_queue.ts";
 * const q = new EventQueue<{ time: number; seq: number; name: string }>();
 * q.push({ time: 5, seq: 0, name: "b" });
 * q.push({ time: 1, seq: 0, name: "a" });
 * q.pop()!.name; // "a"
 * ```
 */
export class EventQueue<E extends Timed> {
  #heap: E[] = [];
  #nextSeq = 0;

  /** Number of entries waiting. */
  get size(): number {
    return this.#heap.length;
  }

  /** The earliest entry, without removing it. */
  peek(): E | undefined {
    return this.#heap[0];
  }

  /** Adds `e`, stamping it with the next sequence number. */
  push(e: E): void {
    e.seq = this.#nextSeq++;
    const heap = this.#heap;
    let i = heap.length;
    heap.push(e);
    // Sift up.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent];
      if (p.time < e.time || (p.time === e.time && p.seq < e.seq)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = e;
  }

  /** Removes and returns the earliest entry. */
  pop(): E | undefined {
    const heap = this.#heap;
    const n = heap.length;
    if (n === 0) return undefined;
    const top = heap[0];
    const last = heap.pop()!;
    if (n > 1) {
      // Sift down.
      const size = n - 1;
      let i = 0;
      while (true) {
        let child = 2 * i + 1;
        if (child >= size) break;
        const right = child + 1;
        if (
          right < size &&
          (heap[right].time < heap[child].time ||
            (heap[right].time === heap[child].time && heap[right].seq < heap[child].seq))
        ) {
          child = right;
        }
        const c = heap[child];
        if (last.time < c.time || (last.time === c.time && last.seq < c.seq)) break;
        heap[i] = c;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }

  /** Removes every entry. */
  clear(): void {
    this.#heap.length = 0;
  }
}
