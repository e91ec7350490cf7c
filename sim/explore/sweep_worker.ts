/**
 * The body of one sweep worker (see {@linkcode runSweep} in `sweep.ts`).
 *
 * It imports the scenario from the module URL the main thread names (the
 * module that defines it, a user's included), so `sim/` itself never
 * imports a protocol, then runs the seeds it is handed and posts one result
 * per seed and `done` per chunk. Errors go back as messages: a
 * {@linkcode ConfigError} keeps its input name so the command line can
 * report it as bad input.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // Started by runSweep, never directly:
 * const url = new URL("./sweep_worker.ts", import.meta.url).href;
 * assert.ok(url.endsWith("sweep_worker.ts"));
 * ```
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import type { Scenario } from "../scenario.ts";
import { pickScenario } from "../scenario_module.ts";
import { type FromWorker, runSeed, type SweepGiven, type ToWorker } from "./sweep.ts";

/** The worker's side of the channel; typed here so this file needs no worker lib. */
interface Port {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(msg: FromWorker): void;
}

const port = globalThis as unknown as Port;
let scenario: Scenario | undefined;
let given: SweepGiven = {};

port.onmessage = async (e) => {
  const msg = e.data;
  switch (msg.type) {
    case "init":
      try {
        const mod = await import(msg.module) as Record<string, unknown>;
        scenario = pickScenario(mod, msg.module, msg.scenario);
        given = msg.given;
        port.postMessage({ type: "ready" });
      } catch (error) {
        port.postMessage(errorMessage(error));
      }
      return;
    case "run":
      for (const seed of msg.seeds) {
        try {
          port.postMessage({ type: "result", outcome: runSeed(scenario!, given, seed) });
        } catch (error) {
          port.postMessage(errorMessage(error, seed));
          return;
        }
      }
      port.postMessage({ type: "done" });
      return;
    default: {
      const never: never = msg;
      port.postMessage({ type: "error", message: `unknown request ${JSON.stringify(never)}` });
    }
  }
};

function errorMessage(error: unknown, seed?: number): FromWorker {
  if (error instanceof ConfigError) {
    const problem = error.message.slice(error.input.length).replace(/^:\s*/, "");
    return { type: "error", seed, input: error.input, message: problem };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { type: "error", seed, message };
}
