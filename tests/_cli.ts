/** Runs the command line in-process on the built-in scenarios, capturing its output. */

import { runCli } from "../sim/cli.ts";
import { scenarios } from "../protocols/registry.ts";

/** The exit code and everything written to stdout and stderr. */
export function cli(args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [], err: string[] = [];
  const code = runCli(args, {
    registry: scenarios,
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}
