/**
 * Node processes as the cluster driver sees them: started with
 * `runtime/main.ts node ...`, killed with SIGKILL, paused with SIGSTOP,
 * restarted with the same arguments (and so the same data directory), and
 * given commands on their standard input. A process started here reads its
 * standard input to the end and stops when it closes, so it dies with the
 * driver even when the driver is killed; a lifetime limit backs that up.
 *
 * Each process's standard output and error go to a log file, `node.log` in
 * its folder, across restarts.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NodeId } from "../actors/node_id.ts";
import { forEachLine } from "./lines.ts";

/** The script a node process runs. */
export const NODE_MAIN: string = fileURLToPath(new URL("./main.ts", import.meta.url));

/** Permissions a node process gets: the network, its files, and nothing else. */
const PERMISSIONS = ["--allow-net", "--allow-read", "--allow-write", "--allow-env"];

/**
 * How a process ended when it ended by itself (not by the driver's kill).
 *
 * @example
 * ```ts
 * import type { ProcessExit } from "./processes.ts";
 * import assert from "node:assert/strict";
 * const e: ProcessExit = { id: "n1", code: 70, signal: null, atMs: 1234 };
 * assert.equal(e.code, 70);
 * ```
 */
export interface ProcessExit {
  /** The node's id. */
  id: NodeId;
  /** Its exit code. */
  code: number;
  /** The signal that ended it, if one did. */
  signal: string | null;
  /** Milliseconds since the driver started, when it was seen. */
  atMs: number;
}

/**
 * One node's process, across kills and restarts.
 *
 * @example
 * ```ts
 * import { NodeProcess } from "./processes.ts";
 * import assert from "node:assert/strict";
 * const dir = Deno.makeTempDirSync();
 * const p = new NodeProcess("n1", ["runtime/main.ts", "node", "echo.ts", "--id", "n1"], dir);
 * assert.equal(p.running, false);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export class NodeProcess {
  #child: Deno.ChildProcess | null = null;
  #stdin: WritableStreamDefaultWriter<Uint8Array> | null = null;
  #exited: Promise<void> = Promise.resolve();
  #killedByUs = false;
  #log: Deno.FsFile | null = null;
  #readyWaiters: Array<() => void> = [];
  #ready = false;
  /** Exits the driver did not cause. */
  readonly exits: ProcessExit[] = [];
  /** Starts so far. */
  starts = 0;

  /**
   * A process not yet started ({@linkcode NodeProcess.spawn} starts it).
   *
   * @param id the node's id
   * @param args what follows `deno run <permissions>` (`runtime/main.ts node ...`)
   * @param folder where `node.log` goes
   * @param clock milliseconds since the driver started, for exit records
   */
  constructor(
    readonly id: NodeId,
    readonly args: readonly string[],
    readonly folder: string,
    readonly clock: () => number = () => 0,
  ) {}

  /** Whether the process is alive (started and not yet seen to exit). */
  get running(): boolean {
    return this.#child !== null;
  }

  /** Starts the process (again). */
  spawn(): void {
    if (this.#child !== null) throw new Error(`${this.id} is already running`);
    this.#log ??= Deno.openSync(join(this.folder, "node.log"), {
      append: true,
      create: true,
    });
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-q", ...PERMISSIONS, ...this.args],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.starts++;
    this.#child = child;
    this.#killedByUs = false;
    this.#ready = false;
    this.#stdin = child.stdin.getWriter();
    const log = this.#log;
    const copyErr = forEachLine(child.stderr, (line) => appendLine(log, line));
    const copyOut = forEachLine(child.stdout, (line) => {
      appendLine(log, line);
      if (!this.#ready && line.startsWith('{"ready"')) {
        this.#ready = true;
        for (const wake of this.#readyWaiters.splice(0)) wake();
      }
    });
    this.#exited = child.status.then(async (status) => {
      await Promise.allSettled([copyErr, copyOut]);
      if (this.#child === child) {
        this.#child = null;
        this.#stdin = null;
      }
      if (!this.#killedByUs) {
        this.exits.push({
          id: this.id,
          code: status.code,
          signal: status.signal,
          atMs: this.clock(),
        });
      }
    });
  }

  /** Resolves when the process has printed its ready line, or rejects after `timeoutMs`. */
  ready(timeoutMs: number): Promise<void> {
    if (this.#ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.id} did not start within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#readyWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Sends one command line to the process's standard input (ignored when it is down). */
  async command(command: unknown): Promise<void> {
    const stdin = this.#stdin;
    if (stdin === null) return;
    try {
      await stdin.write(new TextEncoder().encode(JSON.stringify(command) + "\n"));
    } catch {
      // It died meanwhile: the command no longer matters.
    }
  }

  /** Closes the process's standard input, as the driver's death would: it then stops. */
  async closeInput(): Promise<void> {
    const stdin = this.#stdin;
    this.#stdin = null;
    await stdin?.close().catch(() => {});
  }

  /** Sends a signal: `SIGKILL` (a crash, the default), `SIGSTOP` (pause), `SIGCONT` (resume). */
  async kill(signal: Deno.Signal = "SIGKILL"): Promise<void> {
    const child = this.#child;
    if (child === null) return;
    if (signal === "SIGKILL") this.#killedByUs = true;
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
    if (signal === "SIGKILL") await this.#exited;
  }

  /** Asks the process to stop, and kills it if it has not within `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.#child === null) return;
    this.#killedByUs = true;
    await this.command({ type: "stop" });
    const timer = new Promise<"late">((r) => setTimeout(() => r("late"), graceMs));
    const outcome = await Promise.race([this.#exited.then(() => "done" as const), timer]);
    if (outcome === "late") await this.kill("SIGKILL");
  }

  /** Waits for the current process to exit, whoever caused it. */
  exited(): Promise<void> {
    return this.#exited;
  }

  /** Closes the log file (after the process is gone). */
  close(): void {
    this.#log?.close();
    this.#log = null;
  }
}

const encoder = new TextEncoder();

function appendLine(file: Deno.FsFile | null, line: string): void {
  if (file === null) return;
  const bytes = encoder.encode(line + "\n");
  let off = 0;
  while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
}
