/**
 * The cluster driver's fault injector: the simulator's fault actions done to
 * real processes. A crash is SIGKILL, a restart starts the process again on
 * its data directory, a pause is SIGSTOP and a resume SIGCONT; partitions,
 * blocks and disconnections are sets of cut links, and every node whose
 * share changed is told its own (`{"type":"links",...}` on its standard
 * input), which its transport then drops. The operating system's firewall is
 * never touched, so no privilege is needed and nothing outlives the run.
 *
 * Actions are applied one after another, in the order they were asked for,
 * even when one (a crash waiting for the process to die) takes a while.
 *
 * @module
 */

import type { NodeId } from "../actors/node_id.ts";
import { ConfigError } from "../sim/errors.ts";
import { type FaultAction, faultNodes, type FaultSchedule, formatAction } from "../sim/faults.ts";
import type { NodeProcess } from "./processes.ts";

/** Faults a real cluster can inject: all but clock skew and drift. */
const REAL_FAULTS = new Set<FaultAction["type"]>([
  "crash",
  "restart",
  "pause",
  "resume",
  "partition",
  "block",
  "unblock",
  "disconnect",
  "reconnect",
  "heal",
]);

/**
 * Throws a {@linkcode ConfigError} for a fault a real cluster cannot inject
 * (clocks are the machine's own) or one naming a node that is not a server.
 *
 * @example
 * ```ts
 * import { checkRealFaults } from "./fault_injector.ts";
 * import { parseFaults } from "../sim/faults.ts";
 * import assert from "node:assert/strict";
 * checkRealFaults(parseFaults("@10 crash n1; @20 restart n1"), ["n1", "n2"]);
 * assert.throws(() => checkRealFaults(parseFaults("@10 skew n1 +5"), ["n1"]), /clocks/);
 * assert.throws(() => checkRealFaults(parseFaults("@10 crash n3"), ["n1"]), /no server n3/);
 * ```
 */
export function checkRealFaults(schedule: FaultSchedule, servers: readonly NodeId[]): void {
  for (const f of schedule) {
    if (!REAL_FAULTS.has(f.action.type)) {
      throw new ConfigError(
        "faults",
        `${formatAction(f.action)}: a real cluster injects crash, restart, pause, resume, ` +
          "partition, block, unblock, disconnect, reconnect and heal (clocks are the machine's own)",
      );
    }
    const unknown = faultNodes(f.action).find((id) => !servers.includes(id));
    if (unknown !== undefined) {
      throw new ConfigError(
        "faults",
        `${formatAction(f.action)}: no server ${unknown}; the servers are ${servers.join(", ")}`,
      );
    }
  }
}

/**
 * Applies fault actions to the processes, keeping the set of cut links and
 * telling every affected node its share of it (see the module documentation).
 *
 * @example
 * ```ts
 * import { FaultInjector } from "./fault_injector.ts";
 * import assert from "node:assert/strict";
 * const seen: string[] = [];
 * const injector = new FaultInjector(new Map(), ["c1"], (line) => seen.push(line));
 * await injector.apply({ type: "heal" });
 * assert.deepEqual(seen, ["heal"]);
 * ```
 */
export class FaultInjector {
  /** Cut one-way links, as `from>to`. */
  #cuts = new Set<string>();
  /** Servers cut off from everyone, clients included, until reconnected. */
  #disconnected = new Set<NodeId>();
  #crashed = new Set<NodeId>();
  #paused = new Set<NodeId>();

  /** Every action so far, chained: the next starts when the last is done. */
  #done: Promise<void> = Promise.resolve();

  /**
   * An injector for these processes; nothing is cut yet.
   *
   * @param procs the servers' processes
   * @param clients the clients' ids (a disconnected server cannot reach them either)
   * @param event where a line about each action goes
   */
  constructor(
    readonly procs: ReadonlyMap<NodeId, NodeProcess>,
    readonly clients: readonly NodeId[],
    readonly event: (text: string) => void,
  ) {}

  /** Applies `action` after every action asked for before it; a failure becomes an event line. */
  apply(action: FaultAction): Promise<void> {
    this.#done = this.#done.then(() => this.#apply(action)).catch((e) =>
      this.event(`${formatAction(action)} failed: ${(e as Error).message}`)
    );
    return this.#done;
  }

  async #apply(action: FaultAction): Promise<void> {
    this.event(formatAction(action));
    switch (action.type) {
      case "crash":
        this.#crashed.add(action.node);
        this.#paused.delete(action.node);
        return await this.#proc(action.node).kill("SIGKILL");
      case "restart": {
        const p = this.#proc(action.node);
        if (p.running) return;
        this.#crashed.delete(action.node);
        p.spawn();
        // Its transport starts whole: tell it which links are cut now.
        return await this.#sendLinks(action.node);
      }
      case "pause":
        this.#paused.add(action.node);
        return await this.#proc(action.node).kill("SIGSTOP");
      case "resume":
        this.#paused.delete(action.node);
        return await this.#proc(action.node).kill("SIGCONT");
      case "partition":
        for (const a of action.groups) {
          for (const b of action.groups) {
            if (a === b) continue;
            for (const x of a) for (const y of b) this.#cuts.add(`${x}>${y}`);
          }
        }
        return await this.#sendAllLinks();
      case "block":
        this.#cuts.add(`${action.from}>${action.to}`);
        return await this.#sendAllLinks();
      case "unblock":
        this.#cuts.delete(`${action.from}>${action.to}`);
        return await this.#sendAllLinks();
      case "disconnect":
        this.#disconnected.add(action.node);
        return await this.#sendAllLinks();
      case "reconnect":
        this.#disconnected.delete(action.node);
        return await this.#sendAllLinks();
      case "heal":
        this.#cuts.clear();
        return await this.#sendAllLinks();
      case "skew":
      case "drift":
        throw new ConfigError("faults", `${action.type} cannot be injected into a real process`);
      default: {
        const never: never = action;
        throw new ConfigError("faults", `unknown fault ${JSON.stringify(never)}`);
      }
    }
  }

  /** Heals every link, resumes paused nodes and restarts crashed ones. */
  async repairAll(): Promise<void> {
    await this.#done;
    if (this.#cuts.size > 0) await this.apply({ type: "heal" });
    for (const node of [...this.#disconnected]) await this.apply({ type: "reconnect", node });
    for (const node of [...this.#paused]) await this.apply({ type: "resume", node });
    for (const node of [...this.#crashed]) await this.apply({ type: "restart", node });
  }

  #proc(id: NodeId): NodeProcess {
    const p = this.procs.get(id);
    if (p === undefined) {
      throw new ConfigError(
        "faults",
        `unknown node ${id}; the servers are ${[...this.procs.keys()].join(", ")}`,
      );
    }
    return p;
  }

  async #sendAllLinks(): Promise<void> {
    await Promise.all([...this.procs.keys()].map((id) => this.#sendLinks(id)));
  }

  async #sendLinks(id: NodeId): Promise<void> {
    const blockOut = new Set<NodeId>(), blockIn = new Set<NodeId>();
    for (const cut of this.#cuts) {
      const [from, to] = cut.split(">");
      if (from === id) blockOut.add(to);
      if (to === id) blockIn.add(from);
    }
    const everyone = [...this.procs.keys(), ...this.clients].filter((n) => n !== id);
    for (const other of everyone) {
      if (this.#disconnected.has(id) || this.#disconnected.has(other)) {
        blockOut.add(other);
        blockIn.add(other);
      }
    }
    await this.#proc(id).command({ type: "links", blockOut: [...blockOut], blockIn: [...blockIn] });
  }
}
