/**
 * `deno task sim studio [trace.json | <scenario> --seed N ...]`: runs (or
 * replays) the run, serves the studio on 127.0.0.1 on a free port, prints
 * the address, opens nothing by itself, and stops on Ctrl-C.
 *
 * @module
 */

import { type StudioOptions, StudioSession, type StudioSource } from "./session.ts";
import { serveStudio } from "./server.ts";

/**
 * Where the studio command prints, and how it is stopped: SIGINT (Ctrl-C),
 * or `stop` when given (tests).
 *
 * @example
 * ```ts
 * import type { StudioIO } from "./command.ts";
 * import assert from "node:assert/strict";
 * const lines: string[] = [];
 * const io: StudioIO = { stdout: (s) => lines.push(s), stderr: (s) => lines.push(s) };
 * io.stdout("hi");
 * assert.deepEqual(lines, ["hi"]);
 * ```
 */
export interface StudioIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Stops the studio when aborted (default: only Ctrl-C does). */
  stop?: AbortSignal;
}

/**
 * Builds the session, serves it until Ctrl-C (or `io.stop`), and returns
 * the exit code (0).
 *
 * @example
 * ```ts
 * import { studioCommand } from "./command.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const stop = new AbortController();
 * const lines: string[] = [];
 * const io = { stdout: (s: string) => { lines.push(s); stop.abort(); }, stderr: () => {}, stop: stop.signal };
 * assert.equal(await studioCommand(io, { scenario: pingPong, given: { seed: 2 } }), 0);
 * assert.match(lines[0], /http:\/\/127\.0\.0\.1:\d+\//);
 * ```
 */
export async function studioCommand(
  io: StudioIO,
  source: StudioSource,
  options: StudioOptions & { port?: number } = {},
): Promise<number> {
  const session = new StudioSession(source, options);
  const server = serveStudio(session, options.port === undefined ? {} : { port: options.port });
  const r = session.base.result;
  const verdict = r.ok ? "ok" : `FAILED ${r.violations.map((v) => v.check).join(", ")}`;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = () => {
      Deno.removeSignalListener("SIGINT", onSignal);
      resolve();
    };
    Deno.addSignalListener("SIGINT", onSignal);
    io.stop?.addEventListener("abort", onSignal, { once: true });
  });
  io.stdout(
    `studio: ${server.url} (${session.base.title}: ${r.sim.trace.count} events, ${verdict}); ` +
      "Ctrl-C stops it",
  );
  if (session.base.warning !== undefined) io.stderr(`warning: ${session.base.warning}`);
  await stopped;
  await server.shutdown();
  io.stdout("studio stopped");
  return 0;
}
