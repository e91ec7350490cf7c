/**
 * Running the command line in-process from tests: the framework's own
 * scenarios by default, output captured.
 *
 * @module
 */

import { scenarios } from "../protocols/registry.ts";
import { type CliIO, runCli } from "../sim/cli.ts";
import type { Scenario, ScenarioRegistry } from "../sim/scenario.ts";

/**
 * What one in-process call of the command line printed, and its exit code.
 *
 * @example
 * ```ts
 * import type { Ran } from "./_cli.ts";
 * import assert from "node:assert/strict";
 * const r: Ran = { code: 0, out: ["ok"], err: [] };
 * assert.equal(r.code, 0);
 * ```
 */
export interface Ran {
  code: number;
  out: string[];
  err: string[];
}

/**
 * Runs the command line on `argv` with `registry` (default: every built-in
 * scenario), capturing what it prints.
 *
 * @example
 * ```ts
 * import { cli } from "./_cli.ts";
 * import assert from "node:assert/strict";
 * const ran = await cli(["run", "ping-pong", "--seed", "2", "--json"]);
 * assert.equal(ran.code, 0);
 * assert.equal(JSON.parse(ran.out[0]).seed, 2);
 * ```
 */
export async function cli(
  argv: string[],
  registry: ScenarioRegistry | Iterable<Scenario> = scenarios,
  extra: Partial<CliIO> = {},
): Promise<Ran> {
  const ran: Ran = { code: -1, out: [], err: [] };
  ran.code = await runCli(registry, argv, {
    // As `deno task sim` calls itself, whichever test module is the main one.
    name: "deno task sim",
    stdout: (s) => ran.out.push(s),
    stderr: (s) => ran.err.push(s),
    ...extra,
  });
  return ran;
}
