/**
 * An operator that changes a cluster's membership while it runs: it adds
 * servers (as learners, promoted once caught up), removes servers, and
 * replaces one server by another (add, promote, remove), one change at a
 * time, chosen at random from its seed. It is what `raft-membership` runs
 * against a cluster under faults.
 *
 * Like any client it looks for the leader, follows hints, and retries on a
 * timeout. A retry of a change that did commit is refused as invalid (the
 * server is already a member, or already gone): being the only operator, it
 * takes that as done.
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import { ConfigError } from "../../sim/errors.ts";
import type { ConfChange } from "./membership.ts";
import type { RaftMsg } from "./messages.ts";

/**
 * What the operator does.
 *
 * @example
 * ```ts
 * import type { RaftAdminConfig } from "./admin.ts";
 * import assert from "node:assert/strict";
 * const c: RaftAdminConfig = { voters: ["n1", "n2", "n3"], spares: ["n4", "n5"], changes: 4 };
 * assert.equal(c.changes, 4);
 * ```
 */
export interface RaftAdminConfig {
  /** The voters the cluster starts with. */
  voters: readonly NodeId[];
  /** Servers started with `join: true`, to be added (each at most once). */
  spares: readonly NodeId[];
  /** How many changes (add, remove or replace) to make. */
  changes: number;
  /** Fewest voters to keep: removals below this are not tried (default 3). */
  minVoters?: number;
  /** Most voters to have: additions above this are not tried (default 7). */
  maxVoters?: number;
  /** Local time of the first change (default 500 ms). */
  startMs?: number;
  /** Pause between changes, uniform in [0, 2 * pauseMs) (default 300 ms). */
  pauseMs?: number;
  /** Ask another server when no answer came within this (default 200 ms). */
  timeoutMs?: number;
}

/**
 * The operator's timers: the next change, a retry after a refusal, a
 * timeout waiting for an answer.
 *
 * @example
 * ```ts
 * import type { AdminTimer } from "./admin.ts";
 * import assert from "node:assert/strict";
 * const t: AdminTimer = "retry";
 * assert.equal(t, "retry");
 * ```
 */
export type AdminTimer = "next" | "retry" | "timeout";

/** One step of a change, as sent to the leader. */
type Step = ConfChange;

/**
 * Changes membership at random, one change at a time.
 *
 * @example
 * ```ts
 * import { RaftAdmin } from "./admin.ts";
 * import assert from "node:assert/strict";
 * const admin = new RaftAdmin({ voters: ["n1", "n2", "n3"], spares: ["n4"], changes: 1 });
 * assert.deepEqual(admin.voters, ["n1", "n2", "n3"]);
 * ```
 */
export class RaftAdmin implements Actor<RaftMsg, AdminTimer> {
  /** The settings, defaults filled in. */
  readonly config: Readonly<Required<RaftAdminConfig>>;
  /** The changes made, in order, with the index each committed at (-1: confirmed by a refusal). */
  readonly done: Array<ConfChange & { index: number }> = [];
  #voters: NodeId[];
  #learners: NodeId[] = [];
  #spares: NodeId[];
  #plan: Step[] = [];
  #changesStarted = 0;
  #id = 0;
  #target: NodeId;
  #tries = 0;

  /** An operator for `config`; throws a `ConfigError` on a bad setting. */
  constructor(config: RaftAdminConfig) {
    const c = {
      voters: [...config.voters],
      spares: [...config.spares],
      changes: config.changes,
      minVoters: config.minVoters ?? 3,
      maxVoters: config.maxVoters ?? 7,
      startMs: config.startMs ?? 500,
      pauseMs: config.pauseMs ?? 300,
      timeoutMs: config.timeoutMs ?? 200,
    };
    if (c.voters.length === 0) throw new ConfigError("admin voters", "needs at least one");
    if (!(Number.isInteger(c.changes) && c.changes >= 0)) {
      throw new ConfigError("admin changes", `must be a whole number >= 0, got ${c.changes}`);
    }
    this.config = c;
    this.#voters = [...c.voters];
    this.#spares = [...c.spares];
    this.#target = c.voters[0];
  }

  /** The voters as this operator last changed them. */
  get voters(): readonly NodeId[] {
    return this.#voters;
  }

  /** The servers ever removed. */
  get removed(): NodeId[] {
    return this.done.filter((c) => c.op === "remove").map((c) => c.node);
  }

  onStart(ctx: Context<RaftMsg, AdminTimer>): void {
    // The operator keeps nothing on disk: a restart starts a fresh plan from
    // what it knew (a simulation never crashes it; faults target servers).
    ctx.setTimer("next", Math.max(0, this.config.startMs - ctx.now()));
  }

  /** The operator's view: voters, learners, and the steps of the change under way. */
  inspect(): { voters: readonly NodeId[]; learners: readonly NodeId[]; plan: ConfChange[] } {
    return { voters: this.#voters, learners: this.#learners, plan: this.#plan };
  }

  onMessage(ctx: Context<RaftMsg, AdminTimer>, msg: RaftMsg, from: NodeId): void {
    if (msg.type !== "ConfChangeReply" || msg.id !== this.#id || this.#plan.length === 0) return;
    const step = this.#plan[0];
    if (msg.ok) return this.#stepDone(ctx, step, msg.index);
    if (msg.reason.startsWith("invalid") && this.#tries > 1) {
      // A retry of a change that committed after all (we are the only operator).
      return this.#stepDone(ctx, step, -1);
    }
    this.#target = msg.leaderHint !== null && msg.leaderHint !== from
      ? msg.leaderHint
      : msg.leaderHint === from
      ? from
      : this.#nextServer(from);
    ctx.cancelTimer("timeout");
    ctx.setTimer("retry", msg.reason.startsWith("not the leader") ? 20 : 100);
  }

  onTimer(ctx: Context<RaftMsg, AdminTimer>, timer: AdminTimer): void {
    switch (timer) {
      case "next":
        if (this.#plan.length === 0) this.#planNext(ctx);
        return this.#send(ctx);
      case "retry":
        return this.#send(ctx);
      case "timeout":
        // No answer: the server is down, cut off or slow. Ask the next one.
        this.#target = this.#nextServer(this.#target);
        return this.#send(ctx);
      default: {
        const never: never = timer;
        throw new Error(`unknown timer ${never}`);
      }
    }
  }

  /** Picks the next change: add, remove or replace, whichever the bounds allow. */
  #planNext(ctx: Context<RaftMsg, AdminTimer>): void {
    if (this.#changesStarted >= this.config.changes) return;
    const canAdd = this.#spares.length > 0 && this.#voters.length < this.config.maxVoters;
    const canRemove = this.#voters.length > this.config.minVoters;
    const kinds = [
      ...(canAdd ? ["add" as const] : []),
      ...(canRemove ? ["remove" as const] : []),
      ...(this.#spares.length > 0 ? ["replace" as const] : []),
    ];
    if (kinds.length === 0) return;
    this.#changesStarted++;
    const kind = kinds[Math.floor(ctx.random() * kinds.length)];
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(ctx.random() * xs.length)];
    switch (kind) {
      case "add": {
        const node = this.#spares.shift()!;
        this.#plan = [{ op: "add-learner", node }, { op: "promote", node }];
        break;
      }
      case "remove":
        this.#plan = [{ op: "remove", node: pick(this.#voters) }];
        break;
      case "replace": {
        const node = this.#spares.shift()!;
        const old = pick(this.#voters);
        this.#plan = [{ op: "add-learner", node }, { op: "promote", node }, {
          op: "remove",
          node: old,
        }];
        break;
      }
      default: {
        const never: never = kind;
        throw new Error(`unknown change ${never}`);
      }
    }
    ctx.log(`plan ${this.#plan.map((s) => `${s.op} ${s.node}`).join(", ")}`);
  }

  #send(ctx: Context<RaftMsg, AdminTimer>): void {
    const step = this.#plan[0];
    if (step === undefined) return;
    this.#tries++;
    this.#id++; // an answer to an earlier try is ignored
    ctx.send(this.#target, { type: "ConfChangeRequest", id: this.#id, change: step });
    ctx.setTimer("timeout", this.config.timeoutMs);
  }

  #stepDone(ctx: Context<RaftMsg, AdminTimer>, step: Step, index: number): void {
    ctx.cancelTimer("retry");
    ctx.cancelTimer("timeout");
    this.done.push({ ...step, index });
    ctx.log(`${step.op} ${step.node} done${index >= 0 ? ` at ${index}` : ""}`);
    switch (step.op) {
      case "add-learner":
        this.#learners.push(step.node);
        break;
      case "promote":
        this.#learners = this.#learners.filter((x) => x !== step.node);
        this.#voters.push(step.node);
        break;
      case "remove":
        this.#voters = this.#voters.filter((x) => x !== step.node);
        this.#learners = this.#learners.filter((x) => x !== step.node);
        if (this.#target === step.node) this.#target = this.#voters[0];
        break;
      default: {
        const never: never = step.op;
        throw new Error(`unknown change ${never}`);
      }
    }
    this.#plan.shift();
    this.#tries = 0;
    if (this.#plan.length > 0) return this.#send(ctx);
    ctx.setTimer("next", ctx.random() * 2 * this.config.pauseMs);
  }

  #nextServer(after: NodeId): NodeId {
    const members = [...this.#voters, ...this.#learners];
    return members[(members.indexOf(after) + 1) % members.length];
  }
}
