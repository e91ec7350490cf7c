/**
 * The real runtime's costs, on this machine: a durable write (append and
 * fsync), a batch of handled messages with their storage commit, and a
 * request and its reply over TCP on loopback between two transports.
 *
 * ```sh
 * deno bench --allow-read --allow-write --allow-net=127.0.0.1 tests/bench/runtime_bench.ts
 * ```
 *
 * @module
 */

import type { Actor } from "../../actors/mod.ts";
import { DiskStorage } from "../../runtime/disk_storage.ts";
import { ActorHost } from "../../runtime/host.ts";
import { TcpTransport } from "../../runtime/transport.ts";

const dir = Deno.makeTempDirSync({ prefix: "dsim-bench-" });
const disk = DiskStorage.open(`${dir}/a`);
let n = 0;

Deno.bench(
  "storage: one set and its commit (append + fsync)",
  { group: "storage", baseline: true },
  () => {
    disk.set("term", n++);
    disk.commit();
  },
);

Deno.bench("storage: 100 sets, one commit", { group: "storage" }, () => {
  for (let i = 0; i < 100; i++) disk.set(`log/${i}`, { term: n, index: i });
  disk.commit();
});

const batchDisk = DiskStorage.open(`${dir}/b`);
const writer: Actor<number> = {
  onMessage(ctx, msg, from) {
    ctx.storage.set("last", msg);
    ctx.send(from, msg);
  },
};
const host = new ActorHost<number, string>({
  id: "n1",
  actor: () => writer,
  send: () => {},
  storage: batchDisk,
  seed: 1,
});
host.start();

Deno.bench("host: 1000 messages, each a durable write and a send (batched commits)", async () => {
  for (let i = 0; i < 1000; i++) host.deliver(i, "c1");
  await host.idle();
});

const replies: Array<() => void> = [];
const server: TcpTransport = new TcpTransport({
  listen: { hostname: "127.0.0.1", port: 0 },
  peers: {},
  deliver: (from, to, msg) => server.send(to, from, msg),
});
const address = server.start();
const client = new TcpTransport({
  peers: { n1: address },
  deliver: () => replies.shift()?.(),
});

Deno.bench("tcp: one request and its reply over loopback", async () => {
  const done = new Promise<void>((resolve) => replies.push(resolve));
  client.send("c1", "n1", { type: "ping" });
  await done;
});

globalThis.addEventListener("unload", () => {
  host.stop();
  disk.close();
  batchDisk.close();
  void client.close();
  void server.close();
  Deno.removeSync(dir, { recursive: true });
});
