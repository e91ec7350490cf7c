/**
 * The command line entry point: `deno task sim list`, `deno task sim run
 * <scenario> [flags]` and `deno task demo`. All the work is in
 * {@linkcode runCli} (sim/cli.ts), which returns the exit code so that tests
 * can call it in-process; this file only wires it to the real terminal.
 *
 * @example
 * ```sh
 * deno task sim list
 * deno task sim run ping-pong --seed 3 --json
 * deno task sim run gossip --nodes 5 --loss 0.1 --faults '@100 crash n2; @300 restart n2' --diagram
 * deno task demo
 * ```
 *
 * @module
 */

import { demo } from "./examples/demo.ts";
import { scenarios } from "./protocols/registry.ts";
import { runCli } from "./sim/cli.ts";

if (import.meta.main) {
  // Deno.noColor honours NO_COLOR without needing --allow-env.
  const color = Deno.stdout.isTerminal() && !Deno.noColor;
  Deno.exit(runCli(Deno.args, {
    registry: scenarios,
    stdout: (s) => console.log(s),
    stderr: (s) => console.error(s),
    isTTY: color,
    demo: () => demo({ color }),
  }));
}
