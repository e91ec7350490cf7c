/**
 * Transcript tests, in the manner of etcd's datadriven `testdata/*.txt`: a
 * file of commands and, below each, the exact messages and state changes it
 * produced. The servers run on {@linkcode TestContext}s, not in a
 * simulation: nothing happens unless a command says so, every message waits
 * in one queue until a command delivers or drops it, and each server's clock
 * moves only when ticked. So a transcript pins down a behaviour message by
 * message, and a change to the protocol shows up as a readable diff.
 *
 * A file is a list of blocks separated by blank lines; `#` lines are
 * comments. A block is a command line, a `----` line, and the expected
 * output (`ok` when there is none):
 *
 * ```text
 * # 3 is behind: its pre-vote fails.
 * campaign 3
 * ----
 * 3: precandidate t1
 * 3->1 PreVote Term:2 Log:1/11
 * 3->2 PreVote Term:2 Log:1/11
 * ```
 *
 * Commands (node ids are numbers, as in etcd):
 *
 * | command | what it does |
 * | --- | --- |
 * | `add-nodes N voters=(1,2,3) [learners=(4)] [index=10] [join] [prevote=true] [checkquorum=true] [noop=false] [inflight=N] [max-entries=N] [snapshot-every=N]` | starts N servers with the next ids; `index` starts each from a snapshot at that index (term 1); `join` starts them empty, waiting to be added |
 * | `campaign ID` | moves ID's clock to its election timeout and fires it |
 * | `tick-election ID`, `tick-heartbeat ID`, `tick ID MS` | moves ID's clock on and fires what is due |
 * | `propose ID VALUE` | a client puts VALUE at ID |
 * | `propose-conf-change ID OP NODE` | an operator asks ID for a membership change (`add-learner`, `promote`, `remove`) |
 * | `transfer-leadership from=ID to=ID` | an operator asks ID to hand over the lead |
 * | `deliver-msgs [ID...] [drop=ID...]` | delivers (or drops) the queued messages to those servers, once |
 * | `stabilize [ID...]` | delivers messages among those servers (default all) until none are left |
 * | `partition 1,2 3` / `heal` | cuts the groups off from each other: messages across are dropped on delivery |
 * | `crash ID` / `restart ID` | a crash loses everything but the disk; messages to a crashed server are dropped |
 * | `compact ID [INDEX]` | snapshots ID's state machine and drops its log through INDEX |
 * | `raft-state`, `raft-log ID`, `status ID` | prints roles and terms, a log, a leader's progress |
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { MemoryStorage, TestContext } from "../../actors/mod.ts";
import { RaftLog } from "./log.ts";
import type { ConfChange } from "./membership.ts";
import type { Entry, RaftMsg, Snapshot } from "./messages.ts";
import { type RaftConfig, RaftNode, type RaftTimer } from "./node.ts";
import type { Command } from "./state_machine.ts";

/**
 * One block of a transcript file.
 *
 * @example
 * ```ts
 * import type { TranscriptCase } from "./transcript.ts";
 * import assert from "node:assert/strict";
 * const c: TranscriptCase = { comments: ["# start"], command: "raft-state", expected: "ok" };
 * assert.equal(c.command, "raft-state");
 * ```
 */
export interface TranscriptCase {
  /** The `#` lines above the command. */
  comments: string[];
  /** The command line. */
  command: string;
  /** The output below `----`. */
  expected: string;
}

/**
 * Reads a transcript file into its blocks. Throws on a block without `----`.
 *
 * @example
 * ```ts
 * import { parseTranscript } from "./transcript.ts";
 * import assert from "node:assert/strict";
 * const cases = parseTranscript("# hi\nraft-state\n----\nok\n");
 * assert.deepEqual(cases, [{ comments: ["# hi"], command: "raft-state", expected: "ok" }]);
 * ```
 */
export function parseTranscript(text: string): TranscriptCase[] {
  const cases: TranscriptCase[] = [];
  const lines = text.split("\n");
  let i = 0;
  while (i < lines.length) {
    const comments: string[] = [];
    while (i < lines.length && (lines[i].trim() === "" || lines[i].startsWith("#"))) {
      if (lines[i].startsWith("#")) comments.push(lines[i]);
      else comments.length = 0; // a blank line ends a comment that belongs to nothing
      i++;
    }
    if (i >= lines.length) break;
    const command = lines[i++].trim();
    if (lines[i] !== "----") {
      throw new SyntaxError(`transcript line ${i + 1}: expected ---- after "${command}"`);
    }
    i++;
    const out: string[] = [];
    while (i < lines.length && lines[i] !== "") out.push(lines[i++]);
    cases.push({ comments, command, expected: out.join("\n") });
  }
  return cases;
}

/**
 * Writes blocks back as a transcript file (the form `--rewrite` saves).
 *
 * @example
 * ```ts
 * import { formatTranscript } from "./transcript.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatTranscript([{ comments: [], command: "heal", expected: "ok" }]), "heal\n----\nok\n");
 * ```
 */
export function formatTranscript(cases: readonly TranscriptCase[]): string {
  return cases.map((c) => [...c.comments, c.command, "----", c.expected].join("\n") + "\n")
    .join("\n");
}

/** A server of the interaction, with its own clock and disk. */
interface Server {
  id: NodeId;
  config: RaftConfig;
  storage: MemoryStorage;
  ctx: TestContext<RaftMsg, RaftTimer>;
  node: RaftNode | null;
}

/**
 * The servers, the message queue and the partition a transcript drives
 * (etcd's `InteractionEnv`). {@linkcode RaftInteraction.run} runs one
 * command and returns its output.
 *
 * @example
 * ```ts
 * import { RaftInteraction } from "./transcript.ts";
 * import assert from "node:assert/strict";
 * const env = new RaftInteraction();
 * env.run("add-nodes 3 voters=(1,2,3) index=10");
 * env.run("campaign 1");
 * env.run("stabilize");
 * assert.match(env.run("raft-state"), /^1: leader t2 lead=1/);
 * ```
 */
export class RaftInteraction {
  #servers = new Map<NodeId, Server>();
  #queue: Array<{ from: NodeId; to: NodeId; msg: RaftMsg }> = [];
  #groups = new Map<NodeId, number>();
  #clientSeq = 0;
  #adminId = 0;

  /** Runs one command line; returns what it printed (`ok` for nothing). */
  run(line: string): string {
    const [cmd, ...args] = line.trim().split(/\s+/);
    const out: string[] = [];
    switch (cmd) {
      case "add-nodes":
        this.#addNodes(args, out);
        break;
      case "campaign": {
        const s = this.#server(args[0]);
        const due = s.ctx.timers().find((t) => t.timer === "election");
        if (due === undefined) throw new Error(`campaign: ${s.id} has no election timer`);
        s.ctx.advance(Math.max(0, due.at - s.ctx.now()));
        this.#handle(s, out, "", (node, ctx) => ctx.fire(node, "election"));
        break;
      }
      case "tick-election":
        this.#tick(this.#server(args[0]), this.#server(args[0]).config.electionMaxMs ?? 300, out);
        break;
      case "tick-heartbeat":
        this.#tick(this.#server(args[0]), this.#server(args[0]).config.heartbeatMs ?? 50, out);
        break;
      case "tick":
        this.#tick(this.#server(args[0]), Number(args[1]), out);
        break;
      case "propose": {
        const seq = ++this.#clientSeq;
        this.#inject(this.#server(args[0]), "c", {
          type: "ClientRequest",
          seq,
          op: { f: "put", key: "k", value: args[1] },
        }, out);
        break;
      }
      case "propose-conf-change": {
        const change = { op: args[1], node: args[2] } as ConfChange;
        this.#inject(this.#server(args[0]), "admin", {
          type: "ConfChangeRequest",
          id: ++this.#adminId,
          change,
        }, out);
        break;
      }
      case "transfer-leadership": {
        const kv = keyValues(args);
        this.#inject(this.#server(kv.from), "admin", {
          type: "TransferLeadership",
          to: kv.to,
        }, out);
        break;
      }
      case "deliver-msgs": {
        const drop = args.filter((a) => a.startsWith("drop=")).flatMap((a) =>
          a.slice(5).split(",")
        );
        const to = args.filter((a) => !a.startsWith("drop="));
        if (drop.length > 0) this.#drop(drop, out);
        if (to.length > 0 || drop.length === 0) this.#deliverOnce(to, out);
        break;
      }
      case "stabilize":
        this.#stabilize(args, out);
        break;
      case "partition":
        this.#groups = new Map();
        args.forEach((g, k) => g.split(",").forEach((id) => this.#groups.set(id, k)));
        break;
      case "heal":
        this.#groups = new Map();
        break;
      case "crash": {
        const s = this.#server(args[0]);
        s.node = null;
        s.ctx.takeSent();
        for (const t of s.ctx.timers()) s.ctx.cancelTimer(t.timer);
        out.push(`${s.id} crashed`);
        break;
      }
      case "restart": {
        const s = this.#server(args[0]);
        if (s.node !== null) throw new Error(`restart: ${s.id} is up`);
        s.node = new RaftNode(s.config);
        this.#handle(s, out, "", (node, ctx) => node.onStart(ctx));
        break;
      }
      case "compact": {
        const s = this.#server(args[0]);
        const node = s.node!;
        const to = args[1] === undefined ? node.lastApplied : Number(args[1]);
        let ok = false;
        this.#handle(s, out, "", (n, ctx) => ok = n.snapshotNow(ctx, to));
        if (!ok) out.push(`nothing to compact at ${s.id}`);
        out.push(...this.#logLines(node));
        break;
      }
      case "raft-state":
        for (const s of this.#servers.values()) out.push(this.#stateLine(s));
        break;
      case "raft-log":
        out.push(...this.#logLines(this.#server(args[0]).node!));
        break;
      case "status": {
        const node = this.#server(args[0]).node!;
        if (node.role !== "leader") {
          out.push(`${args[0]} is not the leader`);
          break;
        }
        for (const id of node.clusterConfig.voters.concat(node.clusterConfig.learners)) {
          const pr = node.progress(id);
          if (pr === undefined) continue;
          const learner = node.clusterConfig.learners.includes(id) ? " learner" : "";
          const window = pr.inflights.count > 0
            ? ` inflight=${pr.inflights.count}${pr.inflights.full ? "[full]" : ""}`
            : "";
          out.push(`${id}: ${pr.state} match=${pr.match} next=${pr.next}${window}${learner}`);
        }
        break;
      }
      default:
        throw new Error(`unknown transcript command ${JSON.stringify(cmd)}`);
    }
    return out.length === 0 ? "ok" : out.join("\n");
  }

  #addNodes(args: string[], out: string[]): void {
    const n = Number(args[0]);
    const kv = keyValues(args.slice(1));
    const list = (v: string | undefined) =>
      v === undefined ? [] : v.replace(/[()]/g, "").split(",");
    const voters = list(kv.voters);
    const learners = list(kv.learners);
    const index = Number(kv.index ?? 0);
    const join = args.includes("join");
    const first = this.#servers.size + 1;
    for (let k = 0; k < n; k++) {
      const id = String(first + k);
      const config: RaftConfig = {
        servers: voters,
        join,
        preVote: kv.prevote === "true",
        checkQuorum: kv.checkquorum === "true",
        noopOnElection: kv.noop !== "false",
        snapshotEvery: Number(kv["snapshot-every"] ?? 0),
        ...(kv.inflight ? { maxInflight: Number(kv.inflight) } : {}),
        ...(kv["max-entries"] ? { maxEntriesPerAppend: Number(kv["max-entries"]) } : {}),
      };
      const storage = new MemoryStorage();
      if (index > 0 && !join) {
        // Like etcd's index=N: every server starts from the same snapshot.
        const snapshot: Snapshot = {
          lastIncludedIndex: index,
          lastIncludedTerm: 1,
          config: { voters, learners },
          state: { machine: [], sessions: [], digest: 0 },
        };
        storage.set("raft/snapshot", snapshot);
        storage.set("raft/hard", { term: 1, votedFor: null });
        new RaftLog(storage).restore(index, 1);
      }
      const s: Server = {
        id,
        config,
        storage,
        ctx: new TestContext<RaftMsg, RaftTimer>(id, { storage, random: [0.5] }),
        node: new RaftNode(config),
      };
      this.#servers.set(id, s);
      this.#handle(s, out, "", (node, ctx) => node.onStart(ctx));
    }
    out.length = 0; // starting up says nothing worth a line
  }

  #server(id: string | undefined): Server {
    const s = id === undefined ? undefined : this.#servers.get(id);
    if (s === undefined) throw new Error(`no server ${JSON.stringify(id)}`);
    return s;
  }

  /** Lets `ms` pass on `s`'s clock, firing each timer when it comes due (heartbeats repeat). */
  #tick(s: Server, ms: number, out: string[]): void {
    if (s.node === null) return void out.push(`${s.id} is down`);
    const until = s.ctx.now() + ms;
    for (let k = 0; k < 10_000; k++) {
      const next = s.ctx.timers()[0];
      if (next === undefined || next.at > until || s.node === null) break;
      s.ctx.advance(Math.max(0, next.at - s.ctx.now()));
      this.#handle(s, out, "", (node, ctx) => ctx.fire(node, next.timer));
    }
    s.ctx.advance(Math.max(0, until - s.ctx.now()));
  }

  #inject(s: Server, from: NodeId, msg: RaftMsg, out: string[]): void {
    if (s.node === null) return void out.push(`${s.id} is down`);
    this.#handle(s, out, "", (node, ctx) => node.onMessage(ctx, msg, from));
  }

  /** Runs a handler of `s`, then prints its notes and queues its messages (to outsiders: prints). */
  #handle(
    s: Server,
    out: string[],
    indent: string,
    f: (node: RaftNode, ctx: TestContext<RaftMsg, RaftTimer>) => void,
  ): void {
    const notes = s.ctx.logs.length;
    f(s.node!, s.ctx);
    for (const { note } of s.ctx.logs.slice(notes)) {
      if (!note.startsWith("commit ")) out.push(`${indent}${s.id}: ${note}`);
    }
    if (s.node !== null && s.node.commitIndex > 0) {
      const commits = s.ctx.logs.slice(notes).filter((l) => l.note.startsWith("commit "));
      if (commits.length > 0) out.push(`${indent}${s.id}: ${commits[commits.length - 1].note}`);
    }
    for (const { to, msg } of s.ctx.takeSent()) {
      out.push(`${indent}${s.id}->${to} ${describeMessage(msg)}`);
      if (this.#servers.has(to)) this.#queue.push({ from: s.id, to, msg });
    }
  }

  #cut(from: NodeId, to: NodeId): boolean {
    const a = this.#groups.get(from), b = this.#groups.get(to);
    return a !== undefined && b !== undefined && a !== b;
  }

  /** Delivers, once, every queued message for `to` (every server when empty). */
  #deliverOnce(to: readonly NodeId[], out: string[]): number {
    const take = this.#queue.filter((m) => to.length === 0 || to.includes(m.to));
    this.#queue = this.#queue.filter((m) => !take.includes(m));
    const byServer = new Map<NodeId, typeof take>();
    for (const m of take) byServer.set(m.to, [...(byServer.get(m.to) ?? []), m]);
    for (const [id, msgs] of [...byServer].sort(([a], [b]) => Number(a) - Number(b))) {
      const s = this.#servers.get(id)!;
      out.push(`> ${id} receiving`);
      for (const m of msgs) {
        const label = `${m.from}->${m.to} ${describeMessage(m.msg)}`;
        if (s.node === null) out.push(`  dropped (down): ${label}`);
        else if (this.#cut(m.from, m.to)) out.push(`  dropped (partition): ${label}`);
        else {
          out.push(`  ${label}`);
          this.#handle(s, out, "    ", (node, ctx) => node.onMessage(ctx, m.msg, m.from));
        }
      }
    }
    return take.length;
  }

  #drop(ids: readonly NodeId[], out: string[]): void {
    const dropped = this.#queue.filter((m) => ids.includes(m.to));
    this.#queue = this.#queue.filter((m) => !ids.includes(m.to));
    for (const m of dropped) out.push(`dropped: ${m.from}->${m.to} ${describeMessage(m.msg)}`);
  }

  #stabilize(ids: readonly NodeId[], out: string[]): void {
    for (let round = 0; round < 1000; round++) {
      const pending = this.#queue.filter((m) =>
        ids.length === 0 || (ids.includes(m.to) && ids.includes(m.from))
      );
      if (pending.length === 0) return;
      const targets = [...new Set(pending.map((m) => m.to))];
      // Deliver only messages among the given servers.
      const keep = this.#queue.filter((m) => !pending.includes(m));
      this.#queue = pending;
      this.#deliverOnce(targets, out);
      this.#queue = [...keep, ...this.#queue];
    }
    throw new Error("stabilize: still not quiet after 1000 rounds");
  }

  #stateLine(s: Server): string {
    const n = s.node;
    if (n === null) return `${s.id}: down`;
    const log = n.log;
    const conf = n.clusterConfig;
    const learners = conf.learners.length > 0 ? ` learners=(${conf.learners.join(",")})` : "";
    return `${s.id}: ${n.role} t${n.currentTerm} lead=${n.leaderId ?? 0} commit=${n.commitIndex}` +
      ` applied=${n.lastApplied} log=${log.firstIndex}..${log.lastIndex}` +
      ` voters=(${conf.voters.join(",")})${learners}`;
  }

  #logLines(n: RaftNode): string[] {
    const log = n.log;
    const lines = log.snapshotIndex > 0
      ? [`snapshot ${n.snapshot?.lastIncludedIndex ?? 0}, log from ${log.firstIndex}`]
      : [];
    for (let i = log.firstIndex; i <= log.lastIndex; i++) lines.push(describeEntry(log.entry(i)!));
    return lines.length === 0 ? ["(empty)"] : lines;
  }
}

/** `key=value` arguments as a record. */
function keyValues(args: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    args.filter((a) => a.includes("=")).map((a) => {
      const at = a.indexOf("=");
      return [a.slice(0, at), a.slice(at + 1)];
    }),
  );
}

/**
 * An entry as transcripts print it: `term/index` and the command.
 *
 * @example
 * ```ts
 * import { describeEntry } from "./transcript.ts";
 * import assert from "node:assert/strict";
 * assert.equal(describeEntry({ term: 2, index: 13, command: { type: "noop" } }), "2/13 noop");
 * ```
 */
export function describeEntry(e: Entry<unknown>): string {
  return `${e.term}/${e.index} ${describeCommand(e.command)}`;
}

function describeCommand(c: Command<unknown>): string {
  switch (c.type) {
    case "noop":
      return "noop";
    case "conf":
      return `conf ${c.change.op} ${c.change.node}`;
    case "app": {
      const op = c.op as Record<string, unknown>;
      if (op.f === "put") return `put ${op.key}=${op.value}`;
      return JSON.stringify(op);
    }
    default: {
      const never: never = c;
      return JSON.stringify(never);
    }
  }
}

/**
 * A message as transcripts print it, etcd's way: `Term`, `Log` as
 * term/index of the previous (or last) entry, `Commit`, `Entries`.
 *
 * @example
 * ```ts
 * import { describeMessage } from "./transcript.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   describeMessage({ type: "PreVote", term: 2, lastLogIndex: 11, lastLogTerm: 1 }),
 *   "PreVote Term:2 Log:1/11",
 * );
 * ```
 */
export function describeMessage(m: RaftMsg): string {
  switch (m.type) {
    case "PreVote":
    case "RequestVote":
      return `${m.type} Term:${m.term} Log:${m.lastLogTerm}/${m.lastLogIndex}` +
        (m.type === "RequestVote" && m.transfer ? " Transfer" : "");
    case "PreVoteReply":
    case "RequestVoteReply":
      return `${m.type} Term:${m.term}${m.granted ? "" : " Rejected"}`;
    case "AppendEntries": {
      const entries = m.entries.length === 0
        ? ""
        : ` Entries:[${m.entries.map(describeEntry).join(", ")}]`;
      return `AppendEntries Term:${m.term} Log:${m.prevLogTerm}/${m.prevLogIndex} ` +
        `Commit:${m.leaderCommit}${entries}`;
    }
    case "AppendEntriesReply":
      return m.success
        ? `AppendEntriesReply Term:${m.term} Match:${m.matchIndex}`
        : `AppendEntriesReply Term:${m.term} Rejected Log:${m.prevLogIndex} ` +
          `Hint:${m.conflictTerm}/${m.conflictIndex}`;
    case "InstallSnapshot":
      return `InstallSnapshot Term:${m.term} Snapshot:${m.snapshot.lastIncludedTerm}/` +
        `${m.snapshot.lastIncludedIndex} Voters:(${m.snapshot.config.voters.join(",")})`;
    case "InstallSnapshotReply":
      return `InstallSnapshotReply Term:${m.term} Match:${m.matchIndex}`;
    case "TimeoutNow":
      return "TimeoutNow";
    case "ClientRequest": {
      const op = m.op;
      return `ClientRequest #${m.seq} ${
        op.f === "put" ? `put ${op.key}=${op.value}` : JSON.stringify(op)
      }`;
    }
    case "ClientReply":
      return `ClientReply #${m.seq} ${JSON.stringify(m.result)}`;
    case "NotLeader":
      return `NotLeader #${m.seq} hint=${m.leaderHint ?? "none"}`;
    case "ConfChangeRequest":
      return `ConfChangeRequest #${m.id} ${m.change.op} ${m.change.node}`;
    case "ConfChangeReply":
      return m.ok
        ? `ConfChangeReply #${m.id} ok at ${m.index}`
        : `ConfChangeReply #${m.id} refused: ${m.reason}`;
    case "TransferLeadership":
      return `TransferLeadership to=${m.to}`;
    case "TakeSnapshot":
      return `TakeSnapshot ${m.index}`;
    default: {
      const never: never = m;
      return JSON.stringify(never);
    }
  }
}
