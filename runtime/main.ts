/**
 * The process entry point of a node: `deno task node ...` and
 * `deno task maelstrom ...` run this file (see {@linkcode runRuntimeCli}).
 * It imports no protocol, so a node process loads only the runtime and the
 * actor it is given. `deno task cluster` goes through the repository's
 * `main.ts`, which knows the registered cluster scenarios.
 *
 * @example
 * ```sh
 * deno run -A runtime/main.ts node examples/maelstrom/echo.ts#echoNode --id n1 --listen 127.0.0.1:7001
 * deno run -A runtime/main.ts maelstrom examples/maelstrom/broadcast.ts#broadcastNode
 * ```
 *
 * @module
 */

import { runRuntimeCli } from "./cli.ts";

if (import.meta.main) {
  Deno.exit(
    await runRuntimeCli(Deno.args, {
      stdout: (s) => console.log(s),
      stderr: (s) => console.error(s),
      clusterScenarios: [],
    }),
  );
}
