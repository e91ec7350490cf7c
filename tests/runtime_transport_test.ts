/**
 * Issue 15, part 1: the real transport. JSON messages over TCP between
 * processes on loopback; replies to an undialled sender go back over its
 * connection; blocked links drop in the transport itself; a peer that went
 * away and came back on its address is redialled with backoff.
 */

import assert from "node:assert/strict";
import { TcpTransport } from "../runtime/transport.ts";
import { eventually } from "./_runtime.ts";

const LOOPBACK = { hostname: "127.0.0.1", port: 0 };

Deno.test("transport: a message and its reply, over the sender's own connection", async () => {
  const atServer: unknown[] = [];
  const atClient: unknown[] = [];
  const server: TcpTransport = new TcpTransport({
    listen: LOOPBACK,
    peers: {},
    deliver: (from, to, msg) => {
      atServer.push({ from, to, msg });
      server.send(to, from, { reply: msg });
    },
  });
  const address = server.start();
  const client = new TcpTransport({
    peers: { n1: address },
    deliver: (from, to, msg) => atClient.push({ from, to, msg }),
  });
  try {
    client.send("c1", "n1", { type: "hello", n: [1, 2] });
    client.send("c2", "n1", { type: "hello", n: [] }); // two local ids share one transport
    await eventually("both replies", () => atClient.length === 2);
    assert.deepEqual(atServer[0], { from: "c1", to: "n1", msg: { type: "hello", n: [1, 2] } });
    assert.deepEqual(atClient, [
      { from: "n1", to: "c1", msg: { reply: { type: "hello", n: [1, 2] } } },
      { from: "n1", to: "c2", msg: { reply: { type: "hello", n: [] } } },
    ]);
    server.send("n1", "nobody", { type: "lost" });
    assert.equal(server.stats.unroutable, 1);
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("transport: blocked links drop what would go out or come in", async () => {
  const got: unknown[] = [];
  const server = new TcpTransport({
    listen: LOOPBACK,
    peers: {},
    deliver: (from, _to, msg) => got.push([from, msg]),
  });
  const address = server.start();
  const client = new TcpTransport({ peers: { n1: address }, deliver: () => {} });
  try {
    client.setBlocked(["n1"], []);
    client.send("c1", "n1", 1); // dropped at the sender
    server.setBlocked([], ["c2"]);
    client.setBlocked([], []);
    client.send("c2", "n1", 2); // dropped at the receiver
    client.send("c1", "n1", 3);
    await eventually("the unblocked message", () => got.length === 1);
    assert.deepEqual(got, [["c1", 3]]);
    assert.equal(client.stats.blocked, 1);
    await eventually("the receiver's drop", () => server.stats.blocked === 1);
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("transport: a peer that restarts on its address is redialled", async () => {
  const got: unknown[] = [];
  const first = new TcpTransport({
    listen: LOOPBACK,
    peers: {},
    deliver: (_from, _to, msg) => got.push(msg),
  });
  const address = first.start();
  const client = new TcpTransport({
    peers: { n1: address },
    deliver: () => {},
    backoffMinMs: 5,
    backoffMaxMs: 50,
  });
  let second: TcpTransport | undefined;
  try {
    client.send("c1", "n1", "before");
    await eventually("the first message", () => got.length === 1);
    await first.close(); // the peer goes away
    // Sent while it is down: the broken connection may lose some; the link redials.
    let n = 0;
    second = new TcpTransport({
      listen: address,
      peers: {},
      deliver: (_from, _to, msg) => got.push(msg),
    });
    second.start();
    await eventually("a message through the new connection", () => {
      client.send("c1", "n1", `after ${n++}`);
      return got.some((m) => typeof m === "string" && m.startsWith("after"));
    });
    assert.ok(client.stats.connects >= 2);
  } finally {
    await client.close();
    await second?.close();
  }
});
