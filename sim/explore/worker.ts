/**
 * The body of one worker of a pool (see `pool.ts`): it imports the scenario
 * from the module URL the main thread names (the module that defines it, a
 * user's included), so `sim/` itself never imports a protocol, then runs
 * the items it is handed (seeds of a sweep, runs of an exploration) and
 * posts one result per item and `done` per chunk. Errors go back as
 * messages: a {@linkcode ConfigError} keeps its input name so the command
 * line can report it as bad input.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // Started by runPool, never directly:
 * const url = new URL("./worker.ts", import.meta.url).href;
 * assert.ok(url.endsWith("worker.ts"));
 * ```
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import type { RunGiven, Scenario } from "../scenario.ts";
import { pickScenario } from "../scenario_module.ts";
import { runExploreItem } from "./explore.ts";
import { runSeed } from "./sweep.ts";

/**
 * What a worker runs: a sweep's seeds, or an exploration's runs.
 *
 * @example
 * ```ts
 * import type { WorkerJob } from "./worker.ts";
 * import assert from "node:assert/strict";
 * const job: WorkerJob = { kind: "explore", strategy: "swarm", seed: 1 };
 * assert.equal(job.kind, "explore");
 * ```
 */
export type WorkerJob =
  | { kind: "sweep" }
  | { kind: "explore"; strategy: string; seed: number };

/**
 * How a worker starts: where its scenario is and what to run.
 *
 * @example
 * ```ts
 * import type { WorkerInit } from "./worker.ts";
 * import assert from "node:assert/strict";
 * const init: WorkerInit = { module: "file:///x.ts", scenario: "x", given: {}, job: { kind: "sweep" } };
 * assert.equal(init.job.kind, "sweep");
 * ```
 */
export interface WorkerInit {
  /** The URL of the module that exports the scenario. */
  module: string;
  scenario: string;
  /** The parameters every run shares (plain data: no custom latency function). */
  given: RunGiven;
  job: WorkerJob;
}

/**
 * What the main thread posts to a worker.
 *
 * @example
 * ```ts
 * import type { WorkerRequest } from "./worker.ts";
 * import assert from "node:assert/strict";
 * const run: WorkerRequest = { type: "run", items: [1, 2, 3] };
 * assert.equal(run.type, "run");
 * ```
 */
export type WorkerRequest =
  | ({ type: "init" } & WorkerInit)
  | { type: "run"; items: number[] };

/**
 * What a worker posts back.
 *
 * @example
 * ```ts
 * import type { WorkerReply } from "./worker.ts";
 * import assert from "node:assert/strict";
 * const done: WorkerReply<unknown> = { type: "done" };
 * assert.equal(done.type, "done");
 * ```
 */
export type WorkerReply<O> =
  | { type: "ready" }
  | { type: "result"; outcome: O }
  | { type: "done" }
  /** `input` is set for a {@linkcode ConfigError}; `message` is then its problem alone. */
  | { type: "error"; item?: number; itemName?: string; input?: string; message: string };

interface Port {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(msg: WorkerReply<unknown>): void;
}

// Only inside a worker: a module imported elsewhere (a doc test) must not take over onmessage.
if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  const port = globalThis as unknown as Port;
  let scenario: Scenario | undefined;
  let init: WorkerInit | undefined;

  port.onmessage = async (e) => {
    const msg = e.data;
    switch (msg.type) {
      case "init":
        try {
          const mod = await import(msg.module) as Record<string, unknown>;
          scenario = pickScenario(mod, msg.module, msg.scenario);
          init = msg;
          port.postMessage({ type: "ready" });
        } catch (error) {
          port.postMessage(errorMessage(error));
        }
        return;
      case "run": {
        const job = init!.job;
        for (const item of msg.items) {
          try {
            const outcome = job.kind === "sweep"
              ? runSeed(scenario!, init!.given, item)
              : runExploreItem(scenario!, init!.given, job.strategy, job.seed, item);
            port.postMessage({ type: "result", outcome });
          } catch (error) {
            port.postMessage(errorMessage(error, item, job.kind === "sweep" ? "seed" : "run"));
            return;
          }
        }
        port.postMessage({ type: "done" });
        return;
      }
      default: {
        const never: never = msg;
        port.postMessage({ type: "error", message: `unknown request ${JSON.stringify(never)}` });
      }
    }
  };
}

function errorMessage(error: unknown, item?: number, itemName?: string): WorkerReply<unknown> {
  if (error instanceof ConfigError) {
    const problem = error.message.slice(error.input.length).replace(/^:\s*/, "");
    return { type: "error", item, itemName, input: error.input, message: problem };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { type: "error", item, itemName, message };
}
