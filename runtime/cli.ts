/**
 * The command line of the runtime: `node`, `maelstrom` and `cluster`.
 *
 * ```sh
 * deno task node <module#export> --id n1 --listen 127.0.0.1:7001 \
 *   [--peers n2=127.0.0.1:7002,n3=127.0.0.1:7003] [--data DIR] [--seed N]
 * deno task maelstrom <module#export> [--seed N] [--data DIR]
 * deno task cluster <scenario> [--nodes N] [--duration-ms MS] [--settle-ms MS]
 *   [--faults SPEC] [--seed N] [--dir DIR] [--json]
 * deno task cluster ./my_cluster.ts#myScenario
 * deno task cluster --list
 * ```
 *
 * Exit codes: 0 done (for `cluster`: every check held), 1 a check failed,
 * 2 bad input (one line naming the flag), 70 the actor threw.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { checkNodeId, type NodeId } from "../actors/node_id.ts";
import { ConfigError } from "../sim/errors.ts";
import { type ClusterScenario, runCluster } from "./cluster.ts";
import { loadFactory, parseActorSpec } from "./factory.ts";
import { runMaelstromNode } from "./maelstrom_node.ts";
import { startNode } from "./node.ts";
import { type Address, formatAddress, parseAddress } from "./transport.ts";

/**
 * What the command line may use of the world; tests pass their own.
 *
 * @example
 * ```ts
 * import type { RuntimeCliIo } from "./cli.ts";
 * import assert from "node:assert/strict";
 * const out: string[] = [];
 * const io: RuntimeCliIo = { stdout: (s) => out.push(s), stderr: (s) => out.push(s), clusterScenarios: [] };
 * assert.equal(io.clusterScenarios.length, 0);
 * ```
 */
export interface RuntimeCliIo {
  /** Writes one line of output. */
  stdout: (line: string) => void;
  /** Writes one line of errors and usage. */
  stderr: (line: string) => void;
  /** The scenarios `cluster` knows (the runtime itself knows no protocol). */
  clusterScenarios: readonly ClusterScenario[];
}

const USAGE = [
  "usage:",
  "  node <module#export> --id ID --listen HOST:PORT [--peers ID=HOST:PORT,...] [--data DIR]",
  "       [--seed N] [--control stdin] [--lifetime-ms MS]",
  "  maelstrom <module#export> [--seed N] [--data DIR]",
  "  cluster <scenario> [--nodes N] [--duration-ms MS] [--settle-ms MS] [--faults SPEC]",
  "          [--seed N] [--dir DIR] [--json]",
  "  cluster --list",
].join("\n");

/**
 * Runs one command; resolves with the exit code.
 *
 * @example
 * ```ts
 * import { runRuntimeCli } from "./cli.ts";
 * import assert from "node:assert/strict";
 * const err: string[] = [];
 * const io = { stdout: () => {}, stderr: (s: string) => err.push(s), clusterScenarios: [] };
 * assert.equal(await runRuntimeCli(["node", "x.ts#y", "--listen", "nowhere"], io), 2);
 * assert.match(err[0], /--id/);
 * ```
 */
export async function runRuntimeCli(args: readonly string[], io: RuntimeCliIo): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case "node":
        return await nodeCommand(rest, io);
      case "maelstrom":
        return await maelstromCommand(rest);
      case "cluster":
        return await clusterCommand(rest, io);
      default:
        io.stderr(USAGE);
        return 2;
    }
  } catch (e) {
    if (e instanceof ConfigError || e instanceof TypeError) {
      io.stderr(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

async function nodeCommand(args: string[], io: RuntimeCliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    id: { type: "string" },
    listen: { type: "string" },
    peers: { type: "string" },
    data: { type: "string" },
    seed: { type: "string" },
    control: { type: "string" },
    "lifetime-ms": { type: "string" },
  });
  const spec = onePositional(positionals, "module#export");
  if (values.id === undefined) throw new ConfigError("--id", "is required (e.g. --id n1)");
  const id = checkNodeId(values.id, "--id");
  if (values.listen === undefined) {
    throw new ConfigError("--listen", "is required (e.g. --listen 127.0.0.1:7001)");
  }
  const listen = parseAddress(values.listen, "--listen");
  const peers = parsePeers(values.peers ?? "", id);
  if (values.control !== undefined && values.control !== "stdin") {
    throw new ConfigError("--control", `the only control channel is stdin, got ${values.control}`);
  }
  const lifetimeMs = values["lifetime-ms"] === undefined
    ? undefined
    : wholeNumber(values["lifetime-ms"], "--lifetime-ms");
  const factory = await loadFactory(spec);
  const node = await startNode({
    id,
    factory,
    listen,
    peers,
    data: values.data,
    seed: values.seed === undefined ? 1 : wholeNumber(values.seed, "--seed"),
    control: values.control === "stdin",
    lifetimeMs,
  });
  io.stdout(JSON.stringify({
    ready: id,
    listen: formatAddress(node.address),
    incarnation: node.incarnation,
  }));
  return await node.done;
}

async function maelstromCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    seed: { type: "string" },
    data: { type: "string" },
  });
  const factory = await loadFactory(onePositional(positionals, "module#export"));
  return await runMaelstromNode({
    factory,
    seed: values.seed === undefined ? undefined : wholeNumber(values.seed, "--seed"),
    data: values.data,
  });
}

async function clusterCommand(args: string[], io: RuntimeCliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    nodes: { type: "string" },
    "duration-ms": { type: "string" },
    "settle-ms": { type: "string" },
    faults: { type: "string" },
    seed: { type: "string" },
    dir: { type: "string" },
    json: { type: "boolean" },
    list: { type: "boolean" },
  });
  if (values.list) {
    for (const s of io.clusterScenarios) io.stdout(`${s.name.padEnd(26)} ${s.summary}`);
    return 0;
  }
  const scenario = await findScenario(onePositional(positionals, "scenario"), io);
  const num = (key: "nodes" | "duration-ms" | "settle-ms" | "seed") =>
    values[key] === undefined ? undefined : wholeNumber(values[key]!, `--${key}`);
  const json = values.json === true;
  const result = await runCluster(scenario, {
    nodes: num("nodes"),
    durationMs: num("duration-ms"),
    settleMs: num("settle-ms"),
    faults: values.faults,
    seed: num("seed"),
    dir: values.dir,
    log: json ? undefined : io.stdout,
  });
  if (json) {
    const { history: _history, ...rest } = result;
    io.stdout(JSON.stringify(rest));
  } else {
    if (result.faults !== "") io.stdout(`faults: ${result.faults}`);
    for (const line of result.summary) io.stdout(line);
    for (const v of result.violations) {
      io.stdout(`violation of ${v.check}: ${v.message}${v.node ? ` (${v.node})` : ""}`);
    }
    io.stdout(
      result.ok
        ? `ok: every check held (${(result.wallMs / 1000).toFixed(1)} s)`
        : `FAILED; node logs and data kept in ${result.dir}`,
    );
  }
  return result.ok ? 0 : 1;
}

/**
 * A registered cluster scenario by name, or one of your own by reference:
 * `path/to/module.ts#export`, the export a {@linkcode ClusterScenario}.
 */
async function findScenario(name: string, io: RuntimeCliIo): Promise<ClusterScenario> {
  if (name.includes("#")) {
    const { url, name: exported } = parseActorSpec(name);
    const value = (await import(url) as Record<string, unknown>)[exported] as
      | Partial<ClusterScenario>
      | undefined;
    if (
      typeof value?.server !== "string" || typeof value.clients !== "function" ||
      typeof value.check !== "function"
    ) {
      throw new ConfigError(
        "scenario",
        `${name} is not a cluster scenario (defineClusterScenario({ name, server, clients, check, ... }))`,
      );
    }
    return value as ClusterScenario;
  }
  const scenario = io.clusterScenarios.find((s) => s.name === name);
  if (scenario === undefined) {
    throw new ConfigError(
      "scenario",
      `unknown cluster scenario ${JSON.stringify(name)}; known: ${
        io.clusterScenarios.map((s) => s.name).join(", ") || "(none)"
      } (or give module.ts#export)`,
    );
  }
  return scenario;
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

function parse<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs names the flag; its first line says it all.
    throw new ConfigError("arguments", (e as Error).message.split("\n")[0]);
  }
}

function onePositional(positionals: string[], what: string): string {
  if (positionals.length !== 1) {
    throw new ConfigError(
      what,
      positionals.length === 0 ? `is required\n${USAGE}` : `give one, got ${positionals.join(" ")}`,
    );
  }
  return positionals[0];
}

function wholeNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!(text.trim() !== "" && Number.isSafeInteger(n) && n >= 0)) {
    throw new ConfigError(flag, `must be a whole number >= 0, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** `n2=127.0.0.1:7002,n3=127.0.0.1:7003` as ids and addresses. */
function parsePeers(text: string, self: NodeId): Record<NodeId, Address> {
  const peers: Record<NodeId, Address> = {};
  for (const part of text.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    const eq = part.indexOf("=");
    if (eq < 0) {
      throw new ConfigError("--peers", `${JSON.stringify(part)} is not ID=HOST:PORT`);
    }
    const id = checkNodeId(part.slice(0, eq), "--peers id");
    if (id === self) throw new ConfigError("--peers", `lists ${id}, which is this node`);
    if (id in peers) throw new ConfigError("--peers", `lists ${id} twice`);
    peers[id] = parseAddress(part.slice(eq + 1), `--peers ${id}`);
  }
  return peers;
}
