/**
 * Any actor as a Maelstrom node: `deno task maelstrom <module#export>` reads
 * Maelstrom's messages from standard input, one JSON object per line, and
 * writes the actor's messages to standard output the same way; log notes
 * go to standard error, which Maelstrom saves.
 *
 * The adapter answers `init` itself: it learns the node's id and the
 * cluster's ids, builds the actor with them (see {@linkcode NodeFactory}),
 * replies `init_ok`, and starts the actor. From then on each message's body
 * is the actor's message and its `src` the sender; what the actor sends to
 * `dest` leaves as `{"src": self, "dest": dest, "body": msg}`. So a Gossip
 * Glomers solution written as an actor (answering a request body with
 * `in_reply_to: request.msg_id`) runs unchanged here and in the simulator.
 *
 * A request that arrives before `init` gets error 11
 * (temporarily unavailable). If the actor throws, the node logs the error
 * and exits with code 70, as a crashed process would.
 *
 * Maelstrom's `--bin` needs one executable file; a two-line wrapper does:
 *
 * ```sh
 * #!/bin/sh
 * exec deno run --allow-read /path/to/dsim/runtime/main.ts maelstrom /path/to/echo.ts#echoNode
 * ```
 *
 * @module
 */

import type { NodeId } from "../actors/node_id.ts";
import { DiskStorage } from "./disk_storage.ts";
import type { NodeFactory } from "./factory.ts";
import { forEachLine } from "./lines.ts";
import { ActorHost } from "./host.ts";
import {
  type Body,
  type Envelope,
  errorBody,
  ErrorCode,
  type InitBody,
  parseEnvelope,
} from "./maelstrom_protocol.ts";
import { ACTOR_FAILED } from "./node.ts";

/**
 * Settings of {@linkcode runMaelstromNode}.
 *
 * @example
 * ```ts
 * import type { MaelstromOptions } from "./maelstrom_node.ts";
 * import assert from "node:assert/strict";
 * const o: MaelstromOptions = { factory: () => ({ onMessage() {} }), seed: 3 };
 * assert.equal(o.seed, 3);
 * ```
 */
export interface MaelstromOptions {
  /** Builds the actor once `init` names the node and the cluster. */
  factory: NodeFactory;
  /** Seeds the actor's `ctx.random()` (default: a random seed, logged). */
  seed?: number;
  /** A data directory for durable storage (default: memory). */
  data?: string;
  /** Messages in (default: standard input). */
  input?: ReadableStream<Uint8Array>;
  /** Writes one line (without its newline) of output (default: standard output). */
  output?: (line: string) => void;
  /** Writes one log line (default: standard error). */
  log?: (line: string) => void;
}

/**
 * Runs a Maelstrom node until its input ends; resolves with the exit code
 * (0, or 70 when the actor threw).
 *
 * @example
 * ```ts
 * import { runMaelstromNode } from "./maelstrom_node.ts";
 * import assert from "node:assert/strict";
 * type Echo = { type: "echo"; msg_id: number; echo: unknown };
 * const lines = [
 *   { src: "c0", dest: "n1", body: { type: "init", msg_id: 1, node_id: "n1", node_ids: ["n1"] } },
 *   { src: "c1", dest: "n1", body: { type: "echo", msg_id: 2, echo: "hi" } },
 * ].map((m) => JSON.stringify(m) + "\n").join("");
 * const out: unknown[] = [];
 * const code = await runMaelstromNode({
 *   factory: () => ({
 *     onMessage(ctx, msg: Echo, from) {
 *       ctx.send(from, { type: "echo_ok", in_reply_to: msg.msg_id, echo: msg.echo });
 *     },
 *   }),
 *   input: new Blob([lines]).stream(),
 *   output: (line) => out.push(JSON.parse(line)),
 *   log: () => {},
 *   seed: 1,
 * });
 * assert.equal(code, 0);
 * assert.deepEqual(out, [
 *   { src: "n1", dest: "c0", body: { type: "init_ok", in_reply_to: 1 } },
 *   { src: "n1", dest: "c1", body: { type: "echo_ok", in_reply_to: 2, echo: "hi" } },
 * ]);
 * ```
 */
export async function runMaelstromNode(options: MaelstromOptions): Promise<number> {
  const log = options.log ?? ((line: string) => console.error(line));
  const output = options.output ?? writeStdout;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  let host: ActorHost<Body, unknown> | undefined;
  let self: NodeId | undefined;
  let storage: DiskStorage | undefined;
  let exitCode = 0;
  let finished!: () => void;
  const failed = new Promise<void>((resolve) => finished = resolve);
  const note = (text: string, data?: unknown) =>
    log(`${self ?? "?"} ${text}${data === undefined ? "" : " " + JSON.stringify(data)}`);
  const write = (envelope: Envelope) => output(JSON.stringify(envelope));

  const init = (src: NodeId, body: InitBody) => {
    if (host !== undefined) {
      // A repeated init changes nothing; say so again.
      if (body.node_id === self) write({ src: self, dest: src, body: initOk(body) });
      else {write({
          src: self!,
          dest: src,
          body: errorBody(body, ErrorCode.malformedRequest, "already initialised"),
        });}
      return;
    }
    const id = body.node_id;
    const nodes = [...body.node_ids];
    self = id;
    if (options.data !== undefined) storage = DiskStorage.open(options.data);
    note(`init: ${nodes.length} nodes ${nodes.join(",")}; seed ${seed}`);
    host = new ActorHost<Body, unknown>({
      id,
      actor: () => options.factory(id, nodes),
      send: (to, msg) => write({ src: id, dest: to, body: msg }),
      storage,
      seed,
      log: note,
      onError: (error) => {
        note(`actor threw: ${error instanceof Error ? error.stack ?? error.message : error}`);
        exitCode = ACTOR_FAILED;
        finished();
      },
    });
    write({ src: id, dest: src, body: initOk(body) });
    host.start();
  };

  const handle = (line: string) => {
    let envelope: Envelope;
    try {
      envelope = parseEnvelope(line);
    } catch (e) {
      note(`ignored input: ${(e as Error).message}`);
      return;
    }
    const { src, body } = envelope;
    if (body.type === "init") return init(src, body as InitBody);
    if (host === undefined) {
      if (body.msg_id !== undefined) {
        write({
          src: envelope.dest,
          dest: src,
          body: errorBody(body, ErrorCode.temporarilyUnavailable, "not initialised yet"),
        });
      }
      return;
    }
    host.deliver(body, src);
  };

  const reading = (async () => {
    await forEachLine(options.input ?? Deno.stdin.readable, (line) => {
      if (line.trim() !== "") handle(line.trim());
    });
    // Let what the last messages started finish before leaving.
    await host?.idle();
  })();
  await Promise.race([reading, failed]);
  host?.stop();
  storage?.close();
  return exitCode;
}

function initOk(body: InitBody): Body {
  return { type: "init_ok", in_reply_to: body.msg_id };
}

const encoder = new TextEncoder();

/** Writes a line to standard output whole, before anything else is written. */
function writeStdout(line: string): void {
  const bytes = encoder.encode(line + "\n");
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}
