/**
 * How a process finds the actor it runs: `module#export`.
 *
 * `module` is a path (relative to the current directory) or a URL of a
 * TypeScript or JavaScript module; `export` names what it exports, and
 * defaults to `default`. The export is either
 *
 * - a {@linkcode NodeFactory}: a function `(id, nodes) => actor`, called
 *   with this node's id and the ids of every node of the cluster (itself
 *   included), the way Maelstrom's `init` message gives them; or
 * - an actor class, whose constructor takes the same `(id, nodes)`.
 *
 * A factory that ignores its arguments, such as the simulator's
 * `() => new EchoNode()`, is a factory too. The process calls it at every
 * start: a restart builds a fresh actor, which reads its storage back in
 * `onStart`, exactly as in the simulator.
 *
 * ```sh
 * deno task node examples/maelstrom/echo.ts#echoNode --id n1 --listen 127.0.0.1:7001
 * ```
 *
 * @module
 */

import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Actor } from "../actors/actor.ts";
import type { NodeId } from "../actors/node_id.ts";

/**
 * Builds the actor one node runs, given its id and every node's id.
 *
 * @example
 * ```ts
 * import type { NodeFactory } from "./factory.ts";
 * import assert from "node:assert/strict";
 * const factory: NodeFactory = (id, nodes) => ({
 *   onMessage() {},
 *   inspect: () => ({ id, peers: nodes.filter((n) => n !== id) }),
 * });
 * assert.deepEqual(factory("n1", ["n1", "n2"]).inspect!(), { id: "n1", peers: ["n2"] });
 * ```
 */
// deno-lint-ignore no-explicit-any
export type NodeFactory<M = any, T = any> = (id: NodeId, nodes: readonly NodeId[]) => Actor<M, T>;

/**
 * A `module#export` split into the module's URL and the export's name.
 *
 * @example
 * ```ts
 * import { parseActorSpec } from "./factory.ts";
 * import assert from "node:assert/strict";
 * const spec = parseActorSpec("/srv/echo.ts#echoNode");
 * assert.equal(spec.url, "file:///srv/echo.ts");
 * assert.equal(spec.name, "echoNode");
 * assert.equal(parseActorSpec("/srv/echo.ts").name, "default");
 * ```
 */
export function parseActorSpec(spec: string): { url: string; name: string } {
  const hash = spec.lastIndexOf("#");
  const module = hash < 0 ? spec : spec.slice(0, hash);
  const name = hash < 0 ? "default" : spec.slice(hash + 1);
  if (module.trim() === "" || !/^[A-Za-z_$][\w$]*$/.test(name)) {
    throw new TypeError(
      `actor ${
        JSON.stringify(spec)
      } is not module#export (e.g. examples/maelstrom/echo.ts#echoNode)`,
    );
  }
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(module)
    ? module
    : pathToFileURL(isAbsolute(module) ? module : resolve(module)).href;
  return { url, name };
}

/**
 * Imports `module#export` and returns it as a {@linkcode NodeFactory}.
 * Throws a `TypeError` naming the spec when the module has no such export,
 * or it is neither a function nor a class.
 *
 * @example
 * ```ts
 * import { loadFactory } from "./factory.ts";
 * import assert from "node:assert/strict";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/node.ts`, "export class Node { constructor(id, nodes) { this.id = id; } onMessage() {} }");
 * const factory = await loadFactory(`${dir}/node.ts#Node`);
 * assert.equal((factory("n1", ["n1"]) as unknown as { id: string }).id, "n1");
 * await assert.rejects(loadFactory(`${dir}/node.ts#Missing`), /has no export "Missing"/);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function loadFactory(spec: string): Promise<NodeFactory> {
  const { url, name } = parseActorSpec(spec);
  const module = await import(url) as Record<string, unknown>;
  if (!(name in module)) {
    const known = Object.keys(module).filter((k) => typeof module[k] === "function");
    throw new TypeError(
      `${url} has no export ${JSON.stringify(name)}; its function exports: ${
        known.join(", ") || "(none)"
      }`,
    );
  }
  return asFactory(module[name], spec);
}

/**
 * A function export as a factory, a class export as `new` of it; the result
 * is checked to be an actor the first time it is built.
 */
function asFactory(value: unknown, spec: string): NodeFactory {
  if (typeof value !== "function") {
    throw new TypeError(`${spec} is a ${typeof value}, not an actor factory or an actor class`);
  }
  const isClass = /^class[\s{]/.test(Function.prototype.toString.call(value));
  return (id, nodes) => {
    const actor = isClass
      ? new (value as new (id: NodeId, nodes: readonly NodeId[]) => Actor<unknown, unknown>)(
        id,
        nodes,
      )
      : (value as NodeFactory)(id, nodes);
    if (typeof actor?.onMessage !== "function") {
      throw new TypeError(`${spec} built something without an onMessage method, not an actor`);
    }
    return actor;
  };
}
