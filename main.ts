/**
 * The command line entry point: `deno task sim list`, `deno task sim run
 * <scenario> [flags]`, `sweep`, `explore`, `check`, `replay`, ... and `deno
 * task demo`. All the work is in {@linkcode runCli} (sim/cli.ts), which
 * returns the exit code; this file hands it the framework's own scenarios
 * and wires it to the real terminal. A scenario of your own runs from here
 * too, by reference: `deno task sim run ./path/to/module.ts#name`.
 *
 * ```sh
 * deno task sim list
 * deno task sim run ping-pong --seed 3 --json
 * deno task sim run gossip --nodes 5 --loss 0.1 --faults '@100 crash n2; @300 restart n2' --diagram
 * deno task sim run gossip --seed 3 --out run.html
 * deno task sim sweep gossip --seeds 1..1000 --faults random --shard 1/4 --json > shard1.json
 * deno task sim merge shard1.json shard2.json shard3.json shard4.json
 * deno task sim replay run.json
 * deno task sim run ./my_protocol.ts#my-scenario --seed 7
 * deno task demo
 * deno task cluster raft-kv --nodes 3
 * ```
 *
 * @module
 */

import { demo } from "./examples/demo.ts";
import { clusterScenarios, scenarios } from "./protocols/registry.ts";
import { runRuntimeCli } from "./runtime/cli.ts";
import { runCli } from "./sim/cli.ts";

/** Commands of the runtime (real processes) rather than the simulator. */
const RUNTIME_COMMANDS = new Set(["node", "maelstrom", "cluster"]);

if (import.meta.main && RUNTIME_COMMANDS.has(Deno.args[0])) {
  Deno.exit(
    await runRuntimeCli(Deno.args, {
      stdout: (s) => console.log(s),
      stderr: (s) => console.error(s),
      clusterScenarios,
    }),
  );
} else if (import.meta.main) {
  // Deno.noColor honours NO_COLOR without needing --allow-env.
  const color = Deno.stdout.isTerminal() && !Deno.noColor;
  Deno.exit(await runCli(scenarios, Deno.args, { demo: () => demo({ color }) }));
}
