/**
 * Issue 15, part 1: a node as a real process (`runtime/main.ts node`). A
 * node killed with SIGKILL and started again on the same data directory has
 * everything it acknowledged; the process stops by itself when its control
 * input closes; bad arguments exit with code 2 and one line.
 */

import assert from "node:assert/strict";
import { NODE_MAIN, NodeProcess } from "../runtime/processes.ts";
import { freeLoopbackAddresses, TcpTransport } from "../runtime/transport.ts";
import type { CounterMsg } from "./_runtime_actors.ts";
import { eventually } from "./_runtime.ts";

const COUNTER = new URL("./_runtime_actors.ts#counterNode", import.meta.url).href;

/** A counter node process listening on `port`, controlled through its standard input. */
function counterProcess(dir: string, port: number): NodeProcess {
  return new NodeProcess("n1", [
    NODE_MAIN,
    "node",
    COUNTER,
    "--id",
    "n1",
    "--listen",
    `127.0.0.1:${port}`,
    "--data",
    `${dir}/data`,
    "--control",
    "stdin",
    "--lifetime-ms",
    "120000",
  ], dir);
}

Deno.test("node process: SIGKILL loses nothing the node acknowledged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dsim-node-" });
  const [{ port }] = freeLoopbackAddresses(1);
  const node = counterProcess(dir, port);
  const replies: CounterMsg[] = [];
  const client = new TcpTransport({
    peers: { n1: { hostname: "127.0.0.1", port } },
    deliver: (_from, _to, msg) => replies.push(msg as CounterMsg),
    backoffMinMs: 10,
    backoffMaxMs: 200,
  });
  try {
    node.spawn();
    await node.ready(60_000);
    for (let id = 1; id <= 50; id++) client.send("c1", "n1", { type: "add", n: 2, id });
    await eventually("50 acknowledgements", () => replies.length === 50);
    await node.kill("SIGKILL");
    node.spawn();
    await node.ready(60_000);
    let asked = 0;
    await eventually("the total after the restart", () => {
      if (replies.length === 50 && asked++ % 20 === 0) {
        client.send("c1", "n1", { type: "get", id: 99 });
      }
      return replies.length > 50;
    });
    assert.deepEqual(replies.at(-1), { type: "total", id: 99, total: 100, starts: 2 });
    assert.deepEqual(node.exits, [], "the node never exited by itself");
  } finally {
    await client.close();
    await node.stop();
    node.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("node process: it stops by itself when its control input closes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dsim-node-" });
  const [{ port }] = freeLoopbackAddresses(1);
  const node = counterProcess(dir, port);
  try {
    node.spawn();
    await node.ready(60_000);
    await node.closeInput(); // as when the driver dies
    await node.exited();
    assert.deepEqual(node.exits.map((e) => e.code), [0]);
    assert.match(await Deno.readTextFile(`${dir}/node.log`), /control input closed: stopping/);
  } finally {
    await node.kill("SIGKILL");
    node.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("node process: bad arguments exit with code 2 and name the flag", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-q",
      "--allow-read",
      NODE_MAIN,
      "node",
      COUNTER,
      "--id",
      "n1",
      "--listen",
      "nowhere",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /--listen "nowhere" is not host:port/);
});
