/**
 * Finding scenarios in modules: how the command line reads a scenario
 * reference like `./my_protocol.ts#my-scenario`, how sweep workers load the
 * scenario they run, and how a saved trace or choice file of a user's
 * scenario replays in the user's own directory.
 *
 * A module's scenarios are its exports that are scenarios (an object with a
 * `name`, `defaults` and a `setup` function), arrays of them, and scenario
 * registries. A reference names the module and, after `#`, the scenario's
 * name (or the export's name); the name may be left out when the module has
 * exactly one scenario.
 *
 * @module
 */

import { dirname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ConfigError } from "./errors.ts";
import type { RunSpec, Scenario } from "./scenario.ts";

/**
 * Whether a command-line word names a module (a path or URL, with or
 * without `#name`) rather than a built-in scenario's name.
 *
 * @example
 * ```ts
 * import { isModuleReference } from "./scenario_module.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isModuleReference("raft"), false);
 * assert.equal(isModuleReference("./scenarios.ts#mine"), true);
 * assert.equal(isModuleReference("file:///tmp/x.ts"), true);
 * ```
 */
export function isModuleReference(word: string): boolean {
  return /[/\\#]/.test(word) || /\.(ts|js|mjs|mts|tsx|jsx)$/.test(word);
}

/**
 * A module reference split into the module's URL (relative paths resolve
 * against `cwd`) and the scenario name after `#`, if any.
 *
 * @example
 * ```ts
 * import { parseModuleReference } from "./scenario_module.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseModuleReference("./a/b.ts#x", "/home/me"), {
 *   url: "file:///home/me/a/b.ts",
 *   name: "x",
 * });
 * assert.equal(parseModuleReference("https://e.org/s.ts", "/").name, undefined);
 * ```
 */
export function parseModuleReference(
  reference: string,
  cwd: string,
): { url: string; name?: string } {
  const hash = reference.lastIndexOf("#");
  const target = hash === -1 ? reference : reference.slice(0, hash);
  const name = hash === -1 ? undefined : reference.slice(hash + 1);
  if (target === "") {
    throw new ConfigError("scenario", `${JSON.stringify(reference)} names no module before '#'`);
  }
  if (name === "") {
    throw new ConfigError("scenario", `${JSON.stringify(reference)} names no scenario after '#'`);
  }
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(target) || target.startsWith("file:")
    ? target
    : pathToFileURL(isAbsolute(target) ? target : resolve(cwd, target)).href;
  return name === undefined ? { url } : { url, name };
}

/**
 * Every scenario a module exports (directly, in an array, or in a registry),
 * by scenario name.
 *
 * @example
 * ```ts
 * import { scenariosIn } from "./scenario_module.ts";
 * import * as pingPong from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual([...scenariosIn(pingPong).keys()], ["ping-pong"]);
 * ```
 */
export function scenariosIn(mod: Record<string, unknown>): Map<string, Scenario> {
  const found = new Map<string, Scenario>();
  const add = (value: unknown) => {
    if (isScenario(value)) {
      if (!found.has(value.name)) found.set(value.name, value);
    } else if (Array.isArray(value)) {
      for (const v of value) if (isScenario(v) && !found.has(v.name)) found.set(v.name, v);
    } else if (isRegistry(value)) {
      for (const v of value.list()) if (!found.has(v.name)) found.set(v.name, v);
    }
  };
  for (const value of Object.values(mod)) add(value);
  return found;
}

/**
 * Imports the module a reference names and returns the scenario it means.
 * Throws a {@linkcode ConfigError} that says what the module has when the
 * name matches nothing (or several, without a name).
 *
 * @example
 * ```ts
 * import { loadScenario } from "./scenario_module.ts";
 * import assert from "node:assert/strict";
 * const url = new URL("../protocols/ping_pong/scenario.ts", import.meta.url).href;
 * const scenario = await loadScenario(`${url}#ping-pong`, "/");
 * assert.equal(scenario.name, "ping-pong");
 * ```
 */
export async function loadScenario(reference: string, cwd: string): Promise<Scenario> {
  const { url, name } = parseModuleReference(reference, cwd);
  const scenario = pickScenario(await importModule(url), url, name);
  // Replay lines and workers load it again from here.
  return scenario.module === undefined ? { ...scenario, module: url } : scenario;
}

/**
 * Every scenario of the module a reference names (a `#name` in it is
 * ignored), in the order the module exports them: what `list
 * ./module.ts` lists. A module with none is bad input that says so.
 *
 * @example
 * ```ts
 * import { moduleScenarios } from "./scenario_module.ts";
 * import assert from "node:assert/strict";
 * const url = new URL("../protocols/ping_pong/scenario.ts", import.meta.url).href;
 * const found = await moduleScenarios(url, "/");
 * assert.deepEqual(found.map((s) => s.name), ["ping-pong"]);
 * ```
 */
export async function moduleScenarios(reference: string, cwd: string): Promise<Scenario[]> {
  const { url } = parseModuleReference(reference.replace(/#[^#/]*$/, ""), cwd);
  const found = [...scenariosIn(await importModule(url)).values()];
  if (found.length === 0) {
    throw new ConfigError(
      "scenario",
      `${url} exports no scenario (export one made with defineScenario)`,
    );
  }
  return found.map((s) => s.module === undefined ? { ...s, module: url } : s);
}

/** The module at `url`; one that cannot be loaded is bad input naming it. */
async function importModule(url: string): Promise<Record<string, unknown>> {
  try {
    return await import(url) as Record<string, unknown>;
  } catch (e) {
    const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new ConfigError("scenario", `cannot load ${url}: ${why}`);
  }
}

/**
 * The scenario called `name` among a loaded module's exports (by scenario
 * name, then by export name), or its only scenario when `name` is absent.
 *
 * @example
 * ```ts
 * import { pickScenario } from "./scenario_module.ts";
 * import * as gossip from "../protocols/gossip/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(pickScenario(gossip, "gossip.ts").name, "gossip");
 * assert.throws(() => pickScenario(gossip, "gossip.ts", "nope"), /has no scenario "nope"; it has: gossip/);
 * ```
 */
export function pickScenario(
  mod: Record<string, unknown>,
  where: string,
  name?: string,
): Scenario {
  const all = scenariosIn(mod);
  const names = [...all.keys()];
  if (name === undefined) {
    if (all.size === 1) return all.values().next().value!;
    throw new ConfigError(
      "scenario",
      all.size === 0
        ? `${where} exports no scenario (export one made with defineScenario)`
        : `${where} has ${all.size} scenarios; name one after '#': ${names.join(", ")}`,
    );
  }
  const byName = all.get(name);
  if (byName !== undefined) return byName;
  const byExport = mod[name];
  if (isScenario(byExport)) return byExport;
  throw new ConfigError(
    "scenario",
    `${where} has no scenario ${JSON.stringify(name)}; it has: ${names.join(", ") || "none"}`,
  );
}

function isScenario(value: unknown): value is Scenario {
  return typeof value === "object" && value !== null &&
    typeof (value as Scenario).name === "string" &&
    typeof (value as Scenario).setup === "function" &&
    typeof (value as Scenario).defaults === "object";
}

function isRegistry(value: unknown): value is { list(): Scenario[] } {
  return typeof value === "object" && value !== null &&
    typeof (value as { list?: unknown }).list === "function" &&
    typeof (value as { get?: unknown }).get === "function";
}

/**
 * The scenario a {@linkcode RunSpec} names: the one `registry` has by that
 * name, or else the one of its module (loaded from `spec.module`).
 *
 * @example
 * ```ts
 * import { scenarioOfSpec } from "./scenario_module.ts";
 * import { ScenarioRegistry } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const registry = new ScenarioRegistry([pingPong]);
 * const spec = { scenario: "ping-pong", seed: 1, nodes: 2, until: 1000, faults: "", flags: {} };
 * assert.equal((await scenarioOfSpec(spec, registry)).name, "ping-pong");
 * ```
 */
export async function scenarioOfSpec(
  spec: RunSpec,
  registry: { has(name: string): boolean; get(name: string): Scenario },
): Promise<Scenario> {
  // The command line's own scenarios first: a user's cli.ts knows its scenarios even when
  // the file that defines them has moved since the run was saved.
  if (registry.has(spec.scenario) || spec.module === undefined) return registry.get(spec.scenario);
  return await loadScenario(`${spec.module}#${spec.scenario}`, "/");
}

/**
 * A scenario module's path relative to the folder of a trace file saved at
 * `traceFile` (relative paths resolve against `cwd`), as a trace file
 * keeps it beside the absolute URL so that a project folder moved as a
 * whole still replays. Undefined for a module that is not a local file.
 *
 * @example
 * ```ts
 * import { moduleRelativeTo } from "./scenario_module.ts";
 * import assert from "node:assert/strict";
 * assert.equal(moduleRelativeTo("file:///home/me/p/lease.ts", "out/x.json", "/home/me/p"), "../lease.ts");
 * assert.equal(moduleRelativeTo("file:///home/me/p/lease.ts", "/home/me/p/x.json", "/"), "./lease.ts");
 * assert.equal(moduleRelativeTo("https://e.org/s.ts", "x.json", "/"), undefined);
 * assert.equal(moduleRelativeTo(undefined, "x.json", "/"), undefined);
 * ```
 */
export function moduleRelativeTo(
  module: string | undefined,
  traceFile: string,
  cwd: string,
): string | undefined {
  if (module === undefined || !module.startsWith("file:")) return undefined;
  const rel = relative(dirname(resolve(cwd, traceFile)), fileURLToPath(module));
  return rel.startsWith("../") || rel.startsWith("..\\") || isAbsolute(rel) ? rel : `./${rel}`;
}

/**
 * The scenario a saved trace names: `override` when given (a scenario of
 * `registry` by name, or a module reference resolved against `cwd`), else
 * the one {@linkcode scenarioOfSpec} finds; but when the spec's module is a
 * local file that no longer exists and the file keeps the module's path
 * relative to itself (`relativeModule`), the module found there (the
 * project folder was moved).
 *
 * @example
 * ```ts
 * import { scenarioOfTrace } from "./scenario_module.ts";
 * import { ScenarioRegistry } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const here = new URL("../protocols/ping_pong/scenario.ts", import.meta.url);
 * const spec = {
 *   scenario: "ping-pong", module: "file:///gone/scenario.ts", seed: 1, nodes: 2, until: 1000,
 *   faults: "", flags: {},
 * };
 * const file = { spec, relativeModule: "./protocols/ping_pong/scenario.ts" };
 * const trace = new URL("../x.json", import.meta.url).pathname;
 * const found = await scenarioOfTrace(file, trace, new ScenarioRegistry(), { cwd: "/" });
 * assert.equal(found.module, here.href);
 * ```
 */
export async function scenarioOfTrace(
  file: { spec: RunSpec; relativeModule?: string },
  traceFile: string,
  registry: { has(name: string): boolean; get(name: string): Scenario },
  options: { override?: string; cwd: string },
): Promise<Scenario> {
  const { override, cwd } = options;
  if (override !== undefined) {
    return registry.has(override) ? registry.get(override) : await loadScenario(override, cwd);
  }
  const { spec, relativeModule } = file;
  if (
    !registry.has(spec.scenario) && spec.module?.startsWith("file:") &&
    relativeModule !== undefined && !exists(spec.module)
  ) {
    const moved = pathToFileURL(resolve(dirname(resolve(cwd, traceFile)), relativeModule));
    return await loadScenario(`${moved.href}#${spec.scenario}`, cwd);
  }
  return await scenarioOfSpec(spec, registry);
}

/** Whether a file: URL names a file that can be found. */
function exists(url: string): boolean {
  try {
    return Deno.statSync(fileURLToPath(url)).isFile;
  } catch {
    return false;
  }
}
