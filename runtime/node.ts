/**
 * A node as a real process: one actor, a TCP transport, storage on disk,
 * timers on the real clock. `deno task node` starts one:
 *
 * ```sh
 * deno task node protocols/raft/deploy.ts#raftServer --id n1 --listen 127.0.0.1:7001 \
 *   --peers n2=127.0.0.1:7002,n3=127.0.0.1:7003 --data /tmp/kv/n1
 * ```
 *
 * The actor is built with its id and the sorted ids of the whole cluster
 * (itself and its peers), so every node sees the same list. With `--data`,
 * its storage lives in that directory and survives a kill; a restart with
 * the same directory builds a fresh actor that reads it back, as a restart
 * does in the simulator. Each start bumps a counter kept there, and the
 * node's random stream is named after it, so a restarted node does not
 * repeat the draws of its earlier life.
 *
 * When told to (`--control stdin`, which the cluster driver uses), the
 * process reads commands from its standard input, one JSON object per line,
 * and stops when the input closes, so it never outlives the process that
 * started it:
 *
 * | command | effect |
 * | --- | --- |
 * | `{"type":"links","blockOut":["n2"],"blockIn":["n2"]}` | drop what goes to / comes from those nodes (partitions) |
 * | `{"type":"stop"}` | stop cleanly |
 *
 * Once listening it prints one line on its standard output:
 * `{"ready":"n1","listen":"127.0.0.1:7001","incarnation":1}`. Log notes go
 * to standard error.
 *
 * @module
 */

import { join } from "node:path";
import type { NodeId } from "../actors/node_id.ts";
import { DiskStorage } from "./disk_storage.ts";
import { forEachLine } from "./lines.ts";
import type { NodeFactory } from "./factory.ts";
import { ActorHost } from "./host.ts";
import { type Address, formatAddress, TcpTransport } from "./transport.ts";

/**
 * What one node process runs.
 *
 * @example
 * ```ts
 * import type { NodeOptions } from "./node.ts";
 * import assert from "node:assert/strict";
 * const o: NodeOptions = {
 *   id: "n1",
 *   factory: () => ({ onMessage() {} }),
 *   listen: { hostname: "127.0.0.1", port: 0 },
 *   peers: {},
 *   seed: 1,
 * };
 * assert.equal(o.id, "n1");
 * ```
 */
export interface NodeOptions {
  /** The node's id. */
  id: NodeId;
  /** Builds the actor, at start. */
  factory: NodeFactory;
  /** Where to listen (port 0: any free port). */
  listen: Address;
  /** The other nodes of the cluster and their addresses. */
  peers: Record<NodeId, Address>;
  /** Data directory; without one, storage is in memory and a restart starts empty. */
  data?: string;
  /** Seeds `ctx.random()` (with the node's id and its start count). */
  seed: number;
  /** Read commands from standard input and stop at its end (default false). */
  control?: boolean;
  /** Stop after this long, ms, whatever happens (a safety net for tests). */
  lifetimeMs?: number;
  /** Where log lines go (default: standard error). */
  log?: (line: string) => void;
}

/**
 * A running node.
 *
 * @example
 * ```ts
 * import type { RunningNode } from "./node.ts";
 * import assert from "node:assert/strict";
 * const describe = (n: RunningNode) => `${n.id} on ${n.address.port}`;
 * assert.equal(typeof describe, "function");
 * ```
 */
export interface RunningNode {
  /** The node's id. */
  id: NodeId;
  /** The address it listens on (the real port when asked for port 0). */
  address: Address;
  /** How many times this data directory has been started, this time included. */
  incarnation: number;
  /** The actor's host. */
  host: ActorHost<unknown, unknown>;
  /** The node's transport. */
  transport: TcpTransport;
  /** Stops the node: the actor, the transport and the storage. */
  stop(): Promise<void>;
  /** Resolves with the exit code when the node has stopped (0 clean, 70 the actor threw). */
  done: Promise<number>;
}

/** Exit code of a node whose actor threw. */
export const ACTOR_FAILED = 70;

/** How long a restarted node keeps trying to bind its port (the old one may linger). */
const BIND_RETRY_MS = 10_000;

/**
 * The ids of a cluster in a stable order (`n2` before `n10`), so every
 * node builds its actor with the same list.
 *
 * @example
 * ```ts
 * import { clusterIds } from "./node.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(clusterIds("n10", ["n2", "n1"]), ["n1", "n2", "n10"]);
 * ```
 */
export function clusterIds(self: NodeId, peers: readonly NodeId[]): NodeId[] {
  return [...new Set([self, ...peers])].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

/**
 * Starts a node in this process (see the module documentation).
 *
 * @example
 * ```ts
 * import { startNode } from "./node.ts";
 * import { TcpTransport } from "./transport.ts";
 * import assert from "node:assert/strict";
 * type Msg = { type: "ping" } | { type: "pong" };
 * const node = await startNode({
 *   id: "n1",
 *   factory: () => ({
 *     onMessage(ctx, msg: Msg, from) {
 *       if (msg.type === "ping") ctx.send(from, { type: "pong" });
 *     },
 *   }),
 *   listen: { hostname: "127.0.0.1", port: 0 },
 *   peers: {},
 *   seed: 1,
 *   log: () => {},
 * });
 * const got: unknown[] = [];
 * const client = new TcpTransport({
 *   peers: { n1: node.address },
 *   deliver: (_from, _to, msg) => got.push(msg),
 * });
 * client.send("c1", "n1", { type: "ping" });
 * while (got.length === 0) await new Promise((r) => setTimeout(r, 5));
 * assert.deepEqual(got, [{ type: "pong" }]);
 * await client.close();
 * await node.stop();
 * assert.equal(await node.done, 0);
 * ```
 */
export async function startNode(options: NodeOptions): Promise<RunningNode> {
  const { id } = options;
  const log = options.log ?? ((line: string) => console.error(line));
  const note = (text: string, data?: unknown) =>
    log(
      `${new Date().toISOString()} ${id} ${text}${
        data === undefined ? "" : " " + JSON.stringify(data)
      }`,
    );
  const incarnation = options.data === undefined ? 1 : bumpIncarnation(options.data);
  const storage = options.data === undefined ? undefined : DiskStorage.open(options.data);
  const nodes = clusterIds(id, Object.keys(options.peers));
  let finish!: (code: number) => void;
  const done = new Promise<number>((resolve) => finish = resolve);
  let stopping: Promise<void> | undefined;
  const stop = (code: number): Promise<void> =>
    stopping ??= (async () => {
      host.stop();
      clearTimeout(lifetime);
      await transport.close();
      try {
        storage?.close();
      } catch (e) {
        note(`storage close failed: ${(e as Error).message}`);
      }
      finish(code);
    })();
  const transport = new TcpTransport({
    listen: options.listen,
    peers: options.peers,
    deliver: (from, to, msg) => {
      if (to === id) host.deliver(msg, from);
    },
    log: (text) => note(text),
  });
  const host: ActorHost<unknown, unknown> = new ActorHost<unknown, unknown>({
    id,
    actor: () => options.factory(id, nodes),
    send: (to, msg) => transport.send(id, to, msg),
    storage,
    seed: options.seed,
    stream: `#${incarnation}`,
    log: note,
    onError: (error) => {
      note(`actor threw: ${error instanceof Error ? error.stack ?? error.message : error}`);
      void stop(ACTOR_FAILED);
    },
  });
  const lifetime = options.lifetimeMs === undefined ? undefined : setTimeout(() => {
    note(`lifetime of ${options.lifetimeMs} ms is over: stopping`);
    void stop(0);
  }, options.lifetimeMs);
  let address: Address;
  try {
    address = await bind(transport);
  } catch (e) {
    clearTimeout(lifetime);
    storage?.close();
    throw e;
  }
  note(`listening on ${formatAddress(address)} (incarnation ${incarnation})`);
  host.start();
  if (options.control) void readControl(transport, stop, note);
  return { id, address, incarnation, host, transport, stop: () => stop(0), done };
}

/** Listens, retrying while the address is still in use (a killed predecessor's port). */
async function bind(transport: TcpTransport): Promise<Address> {
  const deadline = performance.now() + BIND_RETRY_MS;
  for (let wait = 20;; wait = Math.min(wait * 2, 500)) {
    try {
      return transport.start();
    } catch (e) {
      if (!(e instanceof Deno.errors.AddrInUse) || performance.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** Commands on standard input, one JSON object per line; the end of input stops the node. */
async function readControl(
  transport: TcpTransport,
  stop: (code: number) => Promise<void>,
  note: (text: string, data?: unknown) => void,
): Promise<void> {
  let stopped = false;
  try {
    await forEachLine(Deno.stdin.readable, (text) => {
      const line = text.trim();
      if (line === "" || stopped) return;
      let command: { type?: string; blockOut?: string[]; blockIn?: string[] };
      try {
        command = JSON.parse(line);
      } catch {
        return note(`ignored a control line that is not JSON: ${line.slice(0, 80)}`);
      }
      if (command.type === "links") {
        transport.setBlocked(command.blockOut ?? [], command.blockIn ?? []);
        note("links", { blockOut: command.blockOut ?? [], blockIn: command.blockIn ?? [] });
      } else if (command.type === "stop") {
        stopped = true;
        void stop(0);
      } else {
        note(`ignored an unknown control command: ${line.slice(0, 80)}`);
      }
    });
  } catch (e) {
    note(`control input failed: ${(e as Error).message}`);
  }
  if (stopped) return;
  note("control input closed: stopping");
  await stop(0);
}

/** Adds one to the start counter kept in the data directory, durably, and returns it. */
function bumpIncarnation(dir: string): number {
  Deno.mkdirSync(dir, { recursive: true });
  const path = join(dir, "incarnation");
  let n = 0;
  try {
    n = Number(Deno.readTextFileSync(path).trim()) || 0;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  n++;
  const tmp = `${path}.tmp`;
  const file = Deno.openSync(tmp, { write: true, create: true, truncate: true });
  try {
    file.writeSync(new TextEncoder().encode(`${n}\n`));
    file.syncDataSync();
  } finally {
    file.close();
  }
  Deno.renameSync(tmp, path);
  return n;
}
