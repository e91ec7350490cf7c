/**
 * A node that uses Multi-Paxos as total order broadcast: it mounts the
 * layer, broadcasts the values of its plan at their times, and keeps what
 * the log delivers, in order. It is what the `paxos` scenario runs in
 * `--mode multi`, and the smallest example of a host for the layer.
 *
 * @module
 */

import type { Actor, Context, LayerMsg, LayerTimer, NodeId } from "../../actors/mod.ts";
import { type Mount, mount } from "../../actors/mod.ts";
import { MultiPaxos, type MultiPaxosMsg, type MultiPaxosTimer } from "./multi_paxos.ts";

/**
 * The messages of a log node: only the layer's.
 *
 * @example
 * ```ts
 * import type { LogNodeMsg } from "./log_node.ts";
 * import assert from "node:assert/strict";
 * const m: LogNodeMsg = { layer: "paxos", msg: { type: "Learn", from: 1 } };
 * assert.equal(m.layer, "paxos");
 * ```
 */
export type LogNodeMsg = LayerMsg<"paxos", MultiPaxosMsg<string>>;

/**
 * The timers of a log node: the layer's, and one per planned broadcast.
 *
 * @example
 * ```ts
 * import type { LogNodeTimer } from "./log_node.ts";
 * import assert from "node:assert/strict";
 * const t: LogNodeTimer = { type: "post", index: 0 };
 * assert.equal(t.index, 0);
 * ```
 */
export type LogNodeTimer = LayerTimer<"paxos", MultiPaxosTimer> | { type: "post"; index: number };

/**
 * Settings of a log node.
 *
 * @example
 * ```ts
 * import type { LogNodeConfig } from "./log_node.ts";
 * import assert from "node:assert/strict";
 * const c: LogNodeConfig = { nodes: ["n1", "n2", "n3"], plan: [{ atMs: 100, value: "n1.1" }] };
 * assert.equal(c.plan[0].value, "n1.1");
 * ```
 */
export interface LogNodeConfig {
  /** Every node of the group. */
  nodes: readonly NodeId[];
  /** Values to broadcast and when (local ms); each is broadcast once, even across restarts. */
  plan: ReadonlyArray<{ atMs: number; value: string }>;
  /** Leader heartbeat period of the layer, ms. */
  heartbeatMs?: number;
  /** Election timeout of the layer, ms. */
  electionMs?: number;
  /** Planted bug (see `MultiPaxosConfig`). */
  unsafeIgnoreAccepted?: boolean;
}

/**
 * A Multi-Paxos host that broadcasts a plan and records deliveries.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { PaxosLogNode } from "./log_node.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 3 });
 * const nodes = ["n1", "n2", "n3"];
 * for (const id of nodes) {
 *   sim.spawn(id, () => new PaxosLogNode({ nodes, plan: [{ atMs: 200, value: `${id}.1` }] }));
 * }
 * sim.run({ until: 1000 });
 * const logs = nodes.map((id) => sim.actor<PaxosLogNode>(id)!.values.join(" "));
 * assert.equal(new Set(logs).size, 1); // one order, everywhere
 * assert.equal(logs[0].split(" ").length, 3);
 * ```
 */
export class PaxosLogNode implements Actor<LogNodeMsg, LogNodeTimer> {
  /** The layer, mounted as `paxos`. */
  readonly paxos: Mount<"paxos", MultiPaxos<string>>;
  /** The values delivered, in log order (rebuilt from the log after a restart). */
  values: string[] = [];

  /** A node with the given group and plan. */
  constructor(readonly config: LogNodeConfig) {
    this.paxos = mount(
      "paxos",
      new MultiPaxos<string>({
        nodes: config.nodes,
        heartbeatMs: config.heartbeatMs,
        electionMs: config.electionMs,
        unsafeIgnoreAccepted: config.unsafeIgnoreAccepted,
        deliver: (_host, d) => {
          this.values.push(d.value);
        },
      }),
    );
  }

  onStart(ctx: Context<LogNodeMsg, LogNodeTimer>): void {
    // The layer only delivers what is new; what was delivered before a crash is in its log.
    const log = this.paxos.layer;
    this.paxos.start(ctx);
    const seen = new Set<string>();
    for (let slot = 1; slot <= log.delivered; slot++) {
      const e = log.decided.get(slot)!;
      if (e.kind === "value" && !seen.has(e.id)) {
        seen.add(e.id);
        this.values.push(e.value);
      }
    }
    const posted = ctx.storage.get<number>("posted") ?? 0;
    this.config.plan.forEach((p, index) => {
      if (index >= posted) ctx.setTimer({ type: "post", index }, Math.max(0, p.atMs - ctx.now()));
    });
  }

  onMessage(ctx: Context<LogNodeMsg, LogNodeTimer>, msg: LogNodeMsg, from: NodeId): void {
    if (this.paxos.message(ctx, msg, from)) return;
    throw new Error(`PaxosLogNode: unknown message ${JSON.stringify(msg)}`);
  }

  onTimer(ctx: Context<LogNodeMsg, LogNodeTimer>, timer: LogNodeTimer): void {
    if (this.paxos.timer(ctx, timer)) return;
    if ("type" in timer && timer.type === "post") {
      // Posted in plan order; "posted" counts them durably, so a restart posts none twice.
      let posted = ctx.storage.get<number>("posted") ?? 0;
      for (; posted <= timer.index; posted++) {
        this.paxos.layer.broadcast(this.paxos.context(ctx), this.config.plan[posted].value);
      }
      ctx.storage.set("posted", posted);
    }
  }

  /** What the studio and fingerprints see. */
  inspect(): { paxos: ReturnType<MultiPaxos<string>["inspect"]>; delivered: number } {
    return { paxos: this.paxos.layer.inspect(), delivered: this.values.length };
  }
}
