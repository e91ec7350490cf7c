/**
 * The studio's web server: on loopback only (127.0.0.1), on a free port
 * unless told one, serving
 *
 * - `GET /` the page of the run studied, `GET /?run=N` the page of a what-if
 *   run (the same page as `--out run.html`, with the what-if panel);
 * - `POST /what-if` `{ run, event, change }` (a `WhatIfChange`): runs the
 *   scenario again with the change and answers `{ run, change, ok, verdict,
 *   data, difference, warning? }` (`data` the new run's page model), or
 *   `{ error }` with status 400 when the change cannot be made;
 * - `GET /trace.json?run=N` the run as a trace file with its draws, which
 *   `deno task sim replay` runs again.
 *
 * It answers only requests addressed to itself (the `Host` is its own
 * address), so a web page elsewhere cannot reach it through a name that
 * resolves to 127.0.0.1.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import type { StudioSession } from "./session.ts";
import type { WhatIfChange } from "./what_if.ts";

/**
 * A running studio server.
 *
 * @example
 * ```ts
 * import { serveStudio } from "./server.ts";
 * import { StudioSession } from "./session.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const server = serveStudio(new StudioSession({ scenario: pingPong, given: { seed: 1 } }));
 * const page = await fetch(server.url);
 * assert.match(await page.text(), /<title>ping-pong seed 1<\/title>/);
 * await server.shutdown();
 * ```
 */
export interface StudioServer {
  /** `http://127.0.0.1:PORT/`. */
  url: string;
  port: number;
  /** Stops serving; resolves when it has. */
  shutdown(): Promise<void>;
}

/** The largest what-if request read. */
const MAX_REQUEST_BYTES = 64 * 1024;

/**
 * Serves `session` on 127.0.0.1 (see the module documentation); `port` 0
 * (the default) picks a free one.
 */
export function serveStudio(session: StudioSession, options: { port?: number } = {}): StudioServer {
  let port = 0;
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: "127.0.0.1",
      port: options.port ?? 0,
      onListen: () => {},
    }, (request) => handle(session, request, port));
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) {
      throw new ConfigError(
        "--port",
        `${options.port} is in use on 127.0.0.1 (another studio?): pick another, ` +
          "or leave --port out for a free one",
      );
    }
    throw e;
  }
  port = server.addr.port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    shutdown: () => server.shutdown(),
  };
}

async function handle(session: StudioSession, request: Request, port: number): Promise<Response> {
  const url = new URL(request.url);
  const host = request.headers.get("host");
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    return text(403, "the studio answers requests to its own address only");
  }
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== `http://${host}`) {
    return text(403, "the studio answers its own pages only");
  }
  try {
    if (request.method === "GET" && url.pathname === "/") {
      return new Response(session.page(runId(url)), {
        headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
      });
    }
    if (request.method === "GET" && url.pathname === "/trace.json") {
      const id = runId(url);
      return new Response(session.traceFile(id), {
        headers: {
          "content-type": "application/json; charset=utf-8",
          "content-disposition":
            `attachment; filename="${session.base.spec.scenario}-seed${session.base.spec.seed}-run${id}.json"`,
        },
      });
    }
    if (request.method === "POST" && url.pathname === "/what-if") {
      return json(200, whatIf(session, await readJson(request)));
    }
    return text(404, `nothing at ${request.method} ${url.pathname}`);
  } catch (e) {
    if (e instanceof ConfigError) return json(400, { error: e.message });
    return json(500, { error: `internal error: ${(e as Error).message ?? e}` });
  }
}

function whatIf(session: StudioSession, body: unknown): unknown {
  const b = body as { run?: unknown; event?: unknown; change?: unknown };
  if (!Number.isSafeInteger(b?.run) || !Number.isSafeInteger(b?.event)) {
    throw new ConfigError(
      "what-if",
      "needs { run, event, change } with whole numbers run and event",
    );
  }
  const answer = session.whatIf(b.run as number, b.event as number, checkChange(b.change));
  const r = answer.run.result;
  return {
    run: answer.run.id,
    change: answer.run.change,
    ok: r.ok,
    verdict: r.ok
      ? `the new run holds every check (${r.sim.trace.count} events)`
      : `the new run FAILS ${r.violations.map((v) => `${v.check}: ${v.message}`).join("; ")}`,
    data: session.data(answer.run.id),
    difference: answer.difference === undefined
      ? null
      : { index: answer.difference.index, text: answer.differenceText },
    ...(answer.warning === undefined ? {} : { warning: answer.warning }),
  };
}

/** A what-if change from a request, checked field by field. */
function checkChange(raw: unknown): WhatIfChange {
  const c = raw as Record<string, unknown> | null;
  const bad = (what: string) => new ConfigError("what-if change", what);
  switch (c?.kind) {
    case "drop":
      if (!Number.isSafeInteger(c.message)) throw bad("drop needs a message id");
      return { kind: "drop", message: c.message as number };
    case "delay":
      if (!Number.isSafeInteger(c.message)) throw bad("delay needs a message id");
      if (typeof c.ms !== "number") throw bad("delay needs ms, a number");
      return { kind: "delay", message: c.message as number, ms: c.ms };
    case "crash":
    case "restart":
      if (typeof c.node !== "string") throw bad(`${c.kind} needs a node id`);
      return { kind: c.kind, node: c.node };
    case "heal":
      return { kind: "heal" };
    default:
      throw bad(
        `kind must be drop, delay, crash, restart or heal, got ${JSON.stringify(c?.kind)}`,
      );
  }
}

function runId(url: URL): number {
  const text = url.searchParams.get("run") ?? "0";
  if (!/^[0-9]{1,9}$/.test(text)) throw new ConfigError("run", `must be a run number, got ${text}`);
  return Number(text);
}

async function readJson(request: Request): Promise<unknown> {
  if (!(request.headers.get("content-type") ?? "").startsWith("application/json")) {
    throw new ConfigError("what-if", "send JSON (content-type: application/json)");
  }
  const body = await request.text();
  if (body.length > MAX_REQUEST_BYTES) throw new ConfigError("what-if", "the request is too long");
  try {
    return JSON.parse(body);
  } catch {
    throw new ConfigError("what-if", "the request is not JSON");
  }
}

function json(status: number, value: unknown): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

function text(status: number, message: string): Response {
  return new Response(message, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}
