/**
 * The real network between node processes: TCP connections carrying one
 * JSON object per line.
 *
 * ```text
 * {"from":"n1","to":"n2","msg":{"type":"RequestVote","term":3,...}}
 * ```
 *
 * Each process listens on one address. To send to a peer whose address it
 * knows, it dials that peer and keeps the connection, re-dialling with
 * exponential backoff (and jitter) when it breaks; messages sent meanwhile
 * wait in a bounded queue, and the oldest are dropped when it is full, as a
 * real network may drop them. A process that was not dialled (a client run
 * by the cluster driver, say) is answered over the connection its messages
 * came in on. Delivery is at most once: what is in flight when a connection
 * breaks is lost. Actors already cope with that, since the simulator does it
 * to them all the time.
 *
 * Fault injection happens here too, not in the operating system's firewall:
 * {@linkcode TcpTransport.setBlocked} makes the transport drop what it would
 * send to, or receive from, the given nodes. That is how the cluster driver
 * partitions a cluster.
 *
 * @module
 */

import type { NodeId } from "../actors/node_id.ts";

/**
 * A host and port.
 *
 * @example
 * ```ts
 * import type { Address } from "./transport.ts";
 * import assert from "node:assert/strict";
 * const a: Address = { hostname: "127.0.0.1", port: 7001 };
 * assert.equal(a.port, 7001);
 * ```
 */
export interface Address {
  /** A host name or IP address. */
  hostname: string;
  /** A TCP port (0 when listening: any free port). */
  port: number;
}

/**
 * Reads `host:port` (an IPv6 host in brackets: `[::1]:7001`). Throws a
 * `TypeError` naming the input otherwise.
 *
 * @example
 * ```ts
 * import { parseAddress } from "./transport.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseAddress("127.0.0.1:7001"), { hostname: "127.0.0.1", port: 7001 });
 * assert.deepEqual(parseAddress("[::1]:80"), { hostname: "::1", port: 80 });
 * assert.throws(() => parseAddress("localhost"), /host:port/);
 * ```
 */
export function parseAddress(text: string, what = "address"): Address {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text.trim());
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !(port >= 0 && port <= 65535)) {
    throw new TypeError(`${what} ${JSON.stringify(text)} is not host:port (e.g. 127.0.0.1:7001)`);
  }
  return { hostname: m[1] ?? m[2], port };
}

/**
 * An address as `host:port`.
 *
 * @example
 * ```ts
 * import { formatAddress } from "./transport.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatAddress({ hostname: "::1", port: 80 }), "[::1]:80");
 * ```
 */
export function formatAddress(a: Address): string {
  return a.hostname.includes(":") ? `[${a.hostname}]:${a.port}` : `${a.hostname}:${a.port}`;
}

/**
 * `n` loopback addresses whose ports were free a moment ago (each was bound
 * with port 0, then released). Another process could take one meanwhile;
 * on a test machine that is rare, and a node that cannot bind says so.
 *
 * @example
 * ```ts
 * import { freeLoopbackAddresses } from "./transport.ts";
 * import assert from "node:assert/strict";
 * const [a, b] = freeLoopbackAddresses(2);
 * assert.equal(a.hostname, "127.0.0.1");
 * assert.notEqual(a.port, b.port);
 * ```
 */
export function freeLoopbackAddresses(n: number): Address[] {
  const listeners = Array.from(
    { length: n },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const out = listeners.map((l) => ({ hostname: "127.0.0.1", port: l.addr.port }));
  for (const l of listeners) l.close();
  return out;
}

/**
 * Settings of a {@linkcode TcpTransport}.
 *
 * @example
 * ```ts
 * import type { TransportOptions } from "./transport.ts";
 * import assert from "node:assert/strict";
 * const o: TransportOptions = {
 *   peers: { n2: { hostname: "127.0.0.1", port: 7002 } },
 *   deliver: (from, to, msg) => console.log(from, to, msg),
 * };
 * assert.equal(o.peers.n2.port, 7002);
 * ```
 */
export interface TransportOptions {
  /** Where to listen; omit for a transport that only dials (a client's). */
  listen?: Address;
  /** The nodes this transport dials, by id. */
  peers: Record<NodeId, Address>;
  /** Called for every message that arrives and is not blocked. */
  deliver: (from: NodeId, to: NodeId, msg: unknown) => void;
  /** Notes about connections (default: none). */
  log?: (note: string) => void;
  /** Most messages waiting for one peer's connection (default 10,000). */
  queueLimit?: number;
  /** First and largest re-dial delay, ms (defaults 20 and 1000). */
  backoffMinMs?: number;
  /** Largest re-dial delay, ms (default 1000). */
  backoffMaxMs?: number;
}

/**
 * Counters a transport keeps.
 *
 * @example
 * ```ts
 * import type { TransportStats } from "./transport.ts";
 * import assert from "node:assert/strict";
 * const s: TransportStats = { sent: 1, received: 1, blocked: 0, dropped: 0, unroutable: 0, connects: 1 };
 * assert.equal(s.sent, 1);
 * ```
 */
export interface TransportStats {
  /** Messages written to a connection. */
  sent: number;
  /** Messages read from a connection and delivered. */
  received: number;
  /** Messages dropped by {@linkcode TcpTransport.setBlocked}. */
  blocked: number;
  /** Messages dropped from a full queue or lost with a broken connection. */
  dropped: number;
  /** Messages to a node with no known address and no connection. */
  unroutable: number;
  /** Connections made by dialling. */
  connects: number;
}

const encoder = new TextEncoder();
/** Longest line accepted from a connection: a bound on memory, far above any real message. */
const MAX_LINE_CHARS = 64 * 1024 * 1024;

/**
 * Messages between processes over TCP (see the module documentation).
 *
 * @example
 * ```ts
 * import { TcpTransport } from "./transport.ts";
 * import assert from "node:assert/strict";
 *
 * const got: unknown[] = [];
 * const server = new TcpTransport({
 *   listen: { hostname: "127.0.0.1", port: 0 },
 *   peers: {},
 *   deliver: (from, _to, msg) => server.send("n1", from, { echo: msg }),
 * });
 * const port = server.start().port;
 * const client = new TcpTransport({
 *   peers: { n1: { hostname: "127.0.0.1", port } },
 *   deliver: (_from, _to, msg) => got.push(msg),
 * });
 * client.start();
 * client.send("c1", "n1", "hello");
 * while (got.length === 0) await new Promise((r) => setTimeout(r, 5));
 * assert.deepEqual(got, [{ echo: "hello" }]);
 * await client.close();
 * await server.close();
 * ```
 */
export class TcpTransport {
  /** What has happened to messages so far. */
  readonly stats: TransportStats = {
    sent: 0,
    received: 0,
    blocked: 0,
    dropped: 0,
    unroutable: 0,
    connects: 0,
  };
  #options: TransportOptions;
  #listener: Deno.TcpListener | null = null;
  #links = new Map<NodeId, Link>();
  /** Where a node that is not a peer was last heard from. */
  #routes = new Map<NodeId, Connection>();
  #connections = new Set<Connection>();
  #blockOut = new Set<NodeId>();
  #blockIn = new Set<NodeId>();
  #closed = false;
  /** What links and connections may reach of the transport. */
  #wiring: Wiring;

  /** A transport; {@linkcode TcpTransport.start} listens, sending dials on demand. */
  constructor(options: TransportOptions) {
    this.#options = options;
    this.#wiring = {
      options,
      stats: this.stats,
      closed: () => this.#closed,
      adopt: (conn) => this.#adopt(conn),
      arrive: (line, c) => this.#arrive(line, c),
    };
    for (const [id, address] of Object.entries(options.peers)) {
      this.#links.set(id, new Link(this.#wiring, id, address));
    }
  }

  /** Starts listening (when asked to); returns the address listened on. */
  start(): Address {
    const listen = this.#options.listen;
    if (listen === undefined) return { hostname: "", port: 0 };
    this.#listener = Deno.listen({ hostname: listen.hostname, port: listen.port });
    void this.#accept(this.#listener);
    const addr = this.#listener.addr;
    return { hostname: addr.hostname, port: addr.port };
  }

  /** Sends `msg` from local node `from` to `to`, unless that link is blocked. */
  send(from: NodeId, to: NodeId, msg: unknown): void {
    if (this.#closed) return;
    if (this.#blockOut.has(to)) {
      this.stats.blocked++;
      return;
    }
    const line = JSON.stringify({ from, to, msg }) + "\n";
    const link = this.#links.get(to);
    if (link !== undefined) return link.send(line);
    const route = this.#routes.get(to);
    if (route !== undefined && !route.closed) return route.write(line);
    this.stats.unroutable++;
  }

  /**
   * Drops, from now on, what this process would send to `out` or receive
   * from `incoming` (replacing earlier settings); empty lists heal.
   */
  setBlocked(out: readonly NodeId[], incoming: readonly NodeId[]): void {
    this.#blockOut = new Set(out);
    this.#blockIn = new Set(incoming);
  }

  /** Closes the listener and every connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#listener?.close();
    } catch {
      // already closed
    }
    for (const link of this.#links.values()) link.close();
    for (const c of [...this.#connections]) c.close();
    await Promise.all([...this.#connections].map((c) => c.done));
  }

  /** A connection was made or accepted: read its lines, forget its routes when it ends. */
  #adopt(conn: Deno.TcpConn): Connection {
    const c = new Connection(this.#wiring, conn);
    this.#connections.add(c);
    void c.done.then(() => {
      this.#connections.delete(c);
      for (const [id, route] of this.#routes) if (route === c) this.#routes.delete(id);
    });
    return c;
  }

  /** A line arrived on `connection`. */
  #arrive(line: string, connection: Connection): void {
    let frame: { from?: unknown; to?: unknown; msg?: unknown };
    try {
      frame = JSON.parse(line);
    } catch {
      this.#options.log?.(`dropped a line that is not JSON: ${line.slice(0, 80)}`);
      return;
    }
    const { from, to } = frame;
    if (typeof from !== "string" || typeof to !== "string" || !("msg" in frame)) {
      this.#options.log?.(`dropped a frame without from, to and msg: ${line.slice(0, 80)}`);
      return;
    }
    if (!this.#links.has(from)) this.#routes.set(from, connection);
    if (this.#blockIn.has(from)) {
      this.stats.blocked++;
      return;
    }
    this.stats.received++;
    this.#options.deliver(from, to, frame.msg);
  }

  async #accept(listener: Deno.TcpListener): Promise<void> {
    try {
      for await (const conn of listener) {
        if (this.#closed) {
          conn.close();
          break;
        }
        conn.setNoDelay(true);
        this.#adopt(conn);
      }
    } catch (e) {
      if (!this.#closed) this.#options.log?.(`listener failed: ${(e as Error).message}`);
    }
  }
}

/** What a transport shares with its links and connections. */
interface Wiring {
  readonly options: TransportOptions;
  readonly stats: TransportStats;
  closed(): boolean;
  adopt(conn: Deno.TcpConn): Connection;
  arrive(line: string, connection: Connection): void;
}

/** One TCP connection, inbound or outbound: reads lines, writes lines in order. */
class Connection {
  closed = false;
  readonly done: Promise<void>;
  #pending: string[] = [];
  #writing = false;

  constructor(readonly transport: Wiring, readonly conn: Deno.TcpConn) {
    this.done = this.#read();
  }

  write(line: string): void {
    if (this.closed) {
      this.transport.stats.dropped++;
      return;
    }
    // A peer that stopped reading (paused, say) must not make us hoard without bound.
    if (this.#pending.length >= (this.transport.options.queueLimit ?? 10_000)) {
      this.#pending.shift();
      this.transport.stats.dropped++;
    }
    this.#pending.push(line);
    if (!this.#writing) void this.#flush();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport.stats.dropped += this.#pending.length;
    this.#pending.length = 0;
    try {
      this.conn.close();
    } catch {
      // already closed by the other side
    }
  }

  async #flush(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#pending.length > 0 && !this.closed) {
        const lines = this.#pending;
        this.#pending = [];
        const bytes = encoder.encode(lines.join(""));
        let off = 0;
        while (off < bytes.length) off += await this.conn.write(bytes.subarray(off));
        this.transport.stats.sent += lines.length;
      }
    } catch {
      this.close();
    } finally {
      this.#writing = false;
    }
  }

  async #read(): Promise<void> {
    const decoder = new TextDecoder();
    const buffer = new Uint8Array(64 * 1024);
    let partial = "";
    try {
      while (!this.closed) {
        const n = await this.conn.read(buffer);
        if (n === null) break;
        partial += decoder.decode(buffer.subarray(0, n), { stream: true });
        let nl = partial.indexOf("\n");
        while (nl >= 0) {
          const line = partial.slice(0, nl);
          partial = partial.slice(nl + 1);
          if (line !== "") this.transport.arrive(line, this);
          nl = partial.indexOf("\n");
        }
        if (partial.length > MAX_LINE_CHARS) break; // not our protocol: hang up
      }
    } catch {
      // reset by the peer, or closed by us
    } finally {
      this.close();
    }
  }
}

/** The dialled connection to one peer, kept up with backoff. */
class Link {
  #connection: Connection | null = null;
  #queue: string[] = [];
  #dialing = false;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(readonly transport: Wiring, readonly peer: NodeId, readonly address: Address) {}

  send(line: string): void {
    const c = this.#connection;
    if (c !== null && !c.closed) return c.write(line);
    const limit = this.transport.options.queueLimit ?? 10_000;
    if (this.#queue.length >= limit) {
      this.#queue.shift();
      this.transport.stats.dropped++;
    }
    this.#queue.push(line);
    this.#dial();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#connection?.close();
  }

  #dial(): void {
    if (this.#dialing || this.#closed || this.#timer !== undefined) return;
    this.#dialing = true;
    Deno.connect({ hostname: this.address.hostname, port: this.address.port }).then(
      (conn) => {
        this.#dialing = false;
        if (this.#closed || this.transport.closed()) {
          conn.close();
          return;
        }
        conn.setNoDelay(true);
        this.#attempt = 0;
        this.transport.stats.connects++;
        const c = this.transport.adopt(conn);
        this.#connection = c;
        const queued = this.#queue;
        this.#queue = [];
        for (const line of queued) c.write(line);
        void c.done.then(() => {
          if (this.#connection === c) this.#connection = null;
          // Redial only when there is something to say: an idle link costs nothing.
          if (this.#queue.length > 0) this.#retryLater();
        });
      },
      (e: Error) => {
        this.#dialing = false;
        if (this.#attempt === 0) {
          this.transport.options.log?.(`cannot reach ${this.peer}: ${e.message}; retrying`);
        }
        this.#retryLater();
      },
    );
  }

  #retryLater(): void {
    if (this.#closed || this.#timer !== undefined) return;
    const min = this.transport.options.backoffMinMs ?? 20;
    const max = this.transport.options.backoffMaxMs ?? 1000;
    const delay = Math.min(max, min * 2 ** this.#attempt++);
    // Jitter, so peers that lost each other do not redial in lockstep.
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#dial();
    }, delay * (0.5 + Math.random() / 2));
  }
}
