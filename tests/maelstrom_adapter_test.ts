/**
 * Issue 15, part 2: an actor as a Maelstrom node, run as a subprocess
 * (`runtime/main.ts maelstrom <module#export>`) and spoken to the way
 * Maelstrom does: JSON lines on standard input and output, `init` first,
 * requests with `msg_id`, replies with `in_reply_to`, logs on standard
 * error. The broadcast test plays Maelstrom's network between two nodes.
 */

import assert from "node:assert/strict";
import type { Envelope } from "../runtime/maelstrom_protocol.ts";
import { forEachLine } from "../runtime/lines.ts";
import { NODE_MAIN } from "../runtime/processes.ts";
import { eventually } from "./_runtime.ts";

const EXAMPLES = new URL("../examples/maelstrom/", import.meta.url);

/** A Maelstrom node process, as Maelstrom sees it. */
class MaelstromNode {
  readonly out: Envelope[] = [];
  readonly stdoutLines: string[] = [];
  readonly child: Deno.ChildProcess;
  readonly stderr: Promise<string>;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #reading: Promise<void>;

  constructor(spec: string, readonly route?: (m: Envelope) => void) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-q", "--allow-read", NODE_MAIN, "maelstrom", spec, "--seed", "1"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.child.stdin.getWriter();
    this.#reading = forEachLine(this.child.stdout, (line) => {
      this.stdoutLines.push(line);
      const m = JSON.parse(line) as Envelope; // anything but JSON on stdout fails the test
      this.out.push(m);
      this.route?.(m);
    });
    this.stderr = new Response(this.child.stderr).text();
  }

  async send(m: Envelope): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(JSON.stringify(m) + "\n"));
  }

  /** The reply to request `msgId` sent by `client`, once it comes. */
  async reply(client: string, msgId: number): Promise<Envelope> {
    let found: Envelope | undefined;
    await eventually(`a reply to ${client}'s ${msgId}`, () => {
      found = this.out.find((m) => m.dest === client && m.body.in_reply_to === msgId);
      return found !== undefined;
    });
    return found!;
  }

  /** Closes standard input, as Maelstrom does at the end; resolves with the exit code. */
  async end(): Promise<number> {
    await this.#stdin.close().catch(() => {});
    const status = await this.child.status;
    await this.#reading;
    return status.code;
  }

  kill(): void {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // already exited
    }
  }
}

function init(id: string, ids: string[], msgId = 1): Envelope {
  return { src: "c0", dest: id, body: { type: "init", msg_id: msgId, node_id: id, node_ids: ids } };
}

Deno.test("maelstrom adapter: init, then echo, over standard input and output", async () => {
  const node = new MaelstromNode(new URL("echo.ts#echoNode", EXAMPLES).href);
  try {
    // Before init there is no node to ask: error 11, temporarily unavailable.
    await node.send({ src: "c1", dest: "n1", body: { type: "echo", msg_id: 1, echo: "early" } });
    const early = await node.reply("c1", 1);
    assert.equal(early.body.type, "error");
    assert.equal(early.body.code, 11);

    await node.send(init("n1", ["n1", "n2", "n3"], 7));
    assert.deepEqual(await node.reply("c0", 7), {
      src: "n1",
      dest: "c0",
      body: { type: "init_ok", in_reply_to: 7 },
    });
    await node.send({
      src: "c1",
      dest: "n1",
      body: { type: "echo", msg_id: 2, echo: "Please echo 35" },
    });
    assert.deepEqual(await node.reply("c1", 2), {
      src: "n1",
      dest: "c1",
      body: { type: "echo_ok", echo: "Please echo 35", in_reply_to: 2 },
    });
    assert.equal(await node.end(), 0);
    // Standard output held only messages; the log went to standard error.
    assert.equal(node.stdoutLines.length, 3);
    assert.match(await node.stderr, /n1 init: 3 nodes n1,n2,n3/);
  } finally {
    node.kill();
  }
});

Deno.test("maelstrom adapter: the broadcast workload's messages between two node processes", async () => {
  const nodes = new Map<string, MaelstromNode>();
  // Maelstrom's network: what a node sends to another node goes to that node's input.
  const route = (m: Envelope) => {
    if (nodes.has(m.dest)) void nodes.get(m.dest)!.send(m);
  };
  const spec = new URL("broadcast.ts#broadcastNode", EXAMPLES).href;
  for (const id of ["n1", "n2"]) nodes.set(id, new MaelstromNode(spec, route));
  const n1 = nodes.get("n1")!, n2 = nodes.get("n2")!;
  try {
    for (const [id, node] of nodes) {
      await node.send(init(id, ["n1", "n2"]));
      await node.reply("c0", 1);
      await node.send({
        src: "c1",
        dest: id,
        body: { type: "topology", msg_id: 2, topology: { n1: ["n2"], n2: ["n1"] } },
      });
      assert.equal((await node.reply("c1", 2)).body.type, "topology_ok");
    }
    await n1.send({ src: "c1", dest: "n1", body: { type: "broadcast", msg_id: 3, message: 1000 } });
    assert.deepEqual((await n1.reply("c1", 3)).body, { type: "broadcast_ok", in_reply_to: 3 });
    await n2.send({ src: "c2", dest: "n2", body: { type: "broadcast", msg_id: 1, message: 2000 } });
    assert.equal((await n2.reply("c2", 1)).body.type, "broadcast_ok");
    // Reads, until gossip has carried each message to the other node.
    let msgId = 10;
    const readUntilBoth = async (node: MaelstromNode, dest: string) => {
      let messages: number[] = [];
      for (let tries = 0; tries < 1000 && messages.length < 2; tries++) {
        const id = msgId++;
        await node.send({ src: "c3", dest, body: { type: "read", msg_id: id } });
        messages = (await node.reply("c3", id)).body.messages as number[];
        if (messages.length < 2) await new Promise((r) => setTimeout(r, 20));
      }
      return [...messages].sort((a, b) => a - b);
    };
    assert.deepEqual(await readUntilBoth(n1, "n1"), [1000, 2000]);
    assert.deepEqual(await readUntilBoth(n2, "n2"), [1000, 2000]);
    // The nodes spoke to each other in the workload's own terms.
    assert.ok(n1.out.some((m) => m.dest === "n2" && m.body.type === "gossip"));
    for (const node of nodes.values()) assert.equal(await node.end(), 0);
  } finally {
    for (const node of nodes.values()) node.kill();
  }
});

Deno.test("maelstrom adapter: an actor that throws ends the node with code 70 and its stack on stderr", async () => {
  const node = new MaelstromNode(
    new URL("./_runtime_actors.ts#throwingNode", import.meta.url).href,
  );
  try {
    await node.send(init("n1", ["n1"]));
    await node.reply("c0", 1);
    await node.send({ src: "c1", dest: "n1", body: { type: "boom", msg_id: 2 } });
    assert.equal(await node.end(), 70);
    assert.match(await node.stderr, /actor threw: Error: boom: a bug in the handler/);
  } finally {
    node.kill();
  }
});
