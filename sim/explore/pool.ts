/**
 * Many runs in parallel Web Workers: what sweeps (one run per seed) and
 * explorations (one run per strategy draw) share.
 *
 * The main thread hands out items (seeds, or run numbers) in small chunks,
 * in increasing order, to whichever worker is free, so a few slow runs do
 * not leave a core idle. Each worker loads the scenario from the module
 * that defines it (see `worker.ts`). A wall-clock budget stops the pool,
 * even in the middle of a run that never ends, and says which items were
 * not reached; a per-item timeout fails an item that runs too long, replaces
 * its worker and goes on. A pool may also stop early when an outcome asks it
 * to (an exploration stops at its first failure).
 *
 * One limit of the platform: Deno 2.9 cannot stop a worker that is busy in
 * JavaScript. `terminate()` returns and the pool goes on without it, but
 * that thread keeps running until the process exits (the command line
 * exits as soon as it has printed its report).
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import type { WorkerInit, WorkerReply, WorkerRequest } from "./worker.ts";

/**
 * What a pool ran: the outcomes (in the order they arrived), the items that
 * were being run when it stopped, and how many items were handed out.
 *
 * @example
 * ```ts
 * import type { PoolResult } from "./pool.ts";
 * import assert from "node:assert/strict";
 * const r: PoolResult<{ item: number }> = { outcomes: [{ item: 1 }], inFlight: [2], unsent: 2 };
 * assert.equal(r.unsent, 2);
 * ```
 */
export interface PoolResult<O> {
  outcomes: O[];
  /** Items being run when the pool stopped (budget, or an early stop). */
  inFlight: number[];
  /** Index into the item list of the first item never handed out. */
  unsent: number;
}

/**
 * How to run a pool.
 *
 * @example
 * ```ts
 * import type { PoolOptions } from "./pool.ts";
 * import assert from "node:assert/strict";
 * const o: PoolOptions<{ item: number; ok: boolean }> = {
 *   workers: 2, itemOf: (o) => o.item, stopAfter: (o) => !o.ok,
 *   timedOut: (item) => ({ item, ok: false }),
 * };
 * assert.equal(o.workers, 2);
 * ```
 */
export interface PoolOptions<O> {
  workers: number;
  /** Wall-clock budget, ms, from `started`. */
  budgetMs?: number;
  /** Wall-clock limit per item, ms. */
  itemTimeoutMs?: number;
  /** When the caller's clock started (default: now). */
  started?: number;
  /** The item an outcome is for. */
  itemOf: (outcome: O) => number;
  /** The outcome of an item that ran past the timeout. */
  timedOut: (item: number, wallMs: number) => O;
  /**
   * True when this outcome ends the pool. Items before it (in the order of
   * `items`) still run, so that the pool stops at the first such outcome
   * in that order whatever the workers' timing; later items in flight are
   * reported as not reached.
   */
  stopAfter?: (outcome: O) => boolean;
  /** Called after every outcome. */
  onOutcome?: (outcome: O, done: number) => void;
}

/**
 * Runs `items` in `options.workers` workers, each started with `init`.
 * Rejects with a {@linkcode ConfigError} for bad input a worker found, and
 * with an `Error` when a worker fails for another reason.
 *
 * @example
 * ```ts
 * import { runPool } from "./pool.ts";
 * import type { SeedOutcome } from "./sweep.ts";
 * import assert from "node:assert/strict";
 * const module = new URL("../../protocols/ping_pong/scenario.ts", import.meta.url).href;
 * const r = await runPool<SeedOutcome>(
 *   { module, scenario: "ping-pong", given: {}, job: { kind: "sweep" } },
 *   [1, 2, 3],
 *   { workers: 1, itemOf: (o) => o.seed, timedOut: () => { throw new Error("slow"); } },
 * );
 * assert.deepEqual(r.outcomes.map((o) => o.seed), [1, 2, 3]);
 * ```
 */
export function runPool<O>(
  init: WorkerInit,
  items: readonly number[],
  options: PoolOptions<O>,
): Promise<PoolResult<O>> {
  const count = Math.min(options.workers, items.length);
  if (!(Number.isInteger(count) && count >= 1)) {
    throw new ConfigError("--workers", `a pool needs at least one worker, got ${options.workers}`);
  }
  const started = options.started ?? performance.now();
  const timeout = options.itemTimeoutMs;
  const chunk = Math.max(1, Math.min(32, Math.floor(items.length / (count * 8))));
  return new Promise<PoolResult<O>>((resolve, reject) => {
    const outcomes: O[] = [];
    let next = 0;
    /** Items taken back from a worker that was stopped, handed out again first. */
    const retry: number[] = [];
    let finished = false;
    /** Position in `items` of the earliest outcome that stops the pool; Infinity while none has. */
    let stopAt = Infinity;
    const position = new Map(items.map((item, i) => [item, i]));
    const before = (item: number) => (position.get(item) ?? Infinity) < stopAt;
    /** Each live worker: the items handed to it not yet reported, in the order it runs them. */
    const live = new Map<Worker, { pending: number[]; since: number }>();
    const timers: Array<ReturnType<typeof setTimeout>> = [];

    const finish = (error?: Error) => {
      if (finished) return;
      finished = true;
      for (const t of timers) clearTimeout(t);
      const inFlight = [...retry];
      for (const [worker, state] of live) {
        worker.terminate();
        inFlight.push(...state.pending);
      }
      live.clear();
      if (error !== undefined) reject(error);
      else resolve({ outcomes, inFlight: inFlight.sort((a, b) => a - b), unsent: next });
    };
    const overBudget = () =>
      options.budgetMs !== undefined && performance.now() - started >= options.budgetMs;
    const record = (outcome: O) => {
      outcomes.push(outcome);
      options.onOutcome?.(outcome, outcomes.length);
      if (options.stopAfter?.(outcome)) {
        stopAt = Math.min(stopAt, position.get(options.itemOf(outcome)) ?? Infinity);
      }
      if (stopAt !== Infinity) windDown();
    };
    /**
     * After a stopping outcome: workers with nothing left before it stop;
     * the pool finishes once every item before it has been run.
     */
    const windDown = () => {
      for (let i = retry.length - 1; i >= 0; i--) if (!before(retry[i])) retry.splice(i, 1);
      for (const [worker, state] of [...live]) {
        if (state.pending.some(before)) continue;
        worker.terminate();
        live.delete(worker);
      }
      if (live.size === 0 && retry.length === 0) finish();
    };
    const feed = (worker: Worker) => {
      const state = live.get(worker)!;
      if ((retry.length === 0 && next >= items.length) || overBudget()) {
        worker.terminate();
        live.delete(worker);
        if (live.size === 0) finish();
        return;
      }
      let batch: number[];
      if (retry.length > 0) {
        batch = retry.splice(0, chunk);
      } else if (stopAt !== Infinity) {
        // Every item before the stopping one was handed out already.
        return windDown();
      } else {
        batch = items.slice(next, next + chunk);
        next += batch.length;
      }
      state.pending = [...batch];
      state.since = performance.now();
      worker.postMessage({ type: "run", items: batch } satisfies WorkerRequest);
    };
    const start = () => {
      const worker = new Worker(new URL("./worker.ts", import.meta.url).href, {
        type: "module",
      });
      live.set(worker, { pending: [], since: performance.now() });
      worker.onmessage = (e: MessageEvent<WorkerReply<O>>) => {
        const state = live.get(worker);
        // Messages from a worker already stopped (budget, timeout, early stop) are stale.
        if (finished || state === undefined) return;
        const msg = e.data;
        switch (msg.type) {
          case "ready":
          case "done":
            return feed(worker);
          case "result": {
            const item = options.itemOf(msg.outcome);
            state.pending = state.pending.filter((s) => s !== item);
            state.since = performance.now();
            return record(msg.outcome);
          }
          case "error": {
            const where = msg.item === undefined ? "" : ` (${msg.itemName} ${msg.item})`;
            return finish(
              msg.input !== undefined
                ? new ConfigError(msg.input, msg.message)
                : new Error(`worker failed${where}: ${msg.message}`),
            );
          }
          default: {
            const never: never = msg;
            return finish(new Error(`internal: unknown worker message ${JSON.stringify(never)}`));
          }
        }
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        finish(new Error(`worker failed: ${e.message}`));
      };
      worker.postMessage({ type: "init", ...init } satisfies WorkerRequest);
    };
    /** An item that runs past the timeout fails; its worker is replaced and the rest of its chunk goes back. */
    const watch = () => {
      if (finished || timeout === undefined) return;
      const now = performance.now();
      for (const [worker, state] of [...live]) {
        if (state.pending.length === 0 || now - state.since < timeout) continue;
        worker.terminate();
        live.delete(worker);
        const [stuck, ...rest] = state.pending;
        retry.unshift(...rest);
        record(options.timedOut(stuck, now - state.since));
        if (finished) return;
        if (!overBudget()) start();
      }
      if (live.size === 0) finish();
      else timers.push(setTimeout(watch, Math.min(1000, timeout / 4)));
    };

    if (options.budgetMs !== undefined) {
      timers.push(setTimeout(
        () => finish(),
        Math.max(0, options.budgetMs - (performance.now() - started)),
      ));
    }
    if (timeout !== undefined) timers.push(setTimeout(watch, Math.min(1000, timeout / 4)));
    for (let w = 0; w < count; w++) start();
  });
}
