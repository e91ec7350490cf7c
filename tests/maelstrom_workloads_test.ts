/**
 * Issue 15, part 3: Maelstrom's workloads inside the simulator. Each
 * reference solution sweeps clean over many seeds with random crashes,
 * pauses and partitions; the same seed gives the same run; and each
 * workload's checker catches a solution that breaks what the workload
 * promises (a checker that cannot fail proves nothing).
 */

import assert from "node:assert/strict";
import type { Actor, Context, NodeId } from "../actors/mod.ts";
import { broadcastWorkload } from "../protocols/maelstrom/broadcast.ts";
import { echoWorkload } from "../protocols/maelstrom/echo.ts";
import { gCounterWorkload } from "../protocols/maelstrom/g_counter.ts";
import { kafkaWorkload } from "../protocols/maelstrom/kafka.ts";
import { linKvWorkload } from "../protocols/maelstrom/lin_kv.ts";
import { reply } from "../protocols/maelstrom/rpc.ts";
import { maelstromScenario } from "../protocols/maelstrom/scenarios.ts";
import { maelstromScenarios } from "../protocols/maelstrom/solutions.ts";
import { txnRwRegisterWorkload } from "../protocols/maelstrom/txn_rw_register.ts";
import { uniqueIdsWorkload } from "../protocols/maelstrom/unique_ids.ts";
import type { MaelstromWorkload } from "../protocols/maelstrom/workload.ts";
import { scenarios } from "../protocols/registry.ts";
import type { Body } from "../runtime/maelstrom_protocol.ts";
import { runScenario } from "../sim/scenario.ts";
import { assertSeeds, checkSeeds } from "../sim/testing.ts";

const NAMES = [
  "maelstrom-echo",
  "maelstrom-unique-ids",
  "maelstrom-broadcast",
  "maelstrom-g-counter",
  "maelstrom-kafka",
  "maelstrom-txn-rw-register",
  "maelstrom-lin-kv",
];

Deno.test("every Maelstrom workload is a registered scenario, in the order of the challenges", () => {
  assert.deepEqual(maelstromScenarios.map((s) => s.name), NAMES);
  for (const name of NAMES) assert.equal(scenarios.get(name).name, name);
});

for (const scenario of maelstromScenarios) {
  Deno.test(`${scenario.name}: the reference solution sweeps clean, 100 seeds of random faults`, () => {
    assertSeeds(scenario, { seeds: { from: 1, to: 100 }, faults: "random" });
  });
}

Deno.test("maelstrom scenarios: the same seed gives the same run", () => {
  for (const scenario of maelstromScenarios) {
    const a = runScenario(scenario, { seed: 11, faults: "random", trace: "hash" });
    const b = runScenario(scenario, { seed: 11, faults: "random", trace: "hash" });
    assert.equal(a.traceHash, b.traceHash, scenario.name);
    assert.ok(a.sim.history.operations.length > 0, `${scenario.name} recorded no operation`);
  }
});

/** Runs a broken solution over seeds; returns the checks that caught it. */
function caught(
  workload: MaelstromWorkload,
  broken: (id: NodeId, nodes: readonly NodeId[]) => Actor<Body, string>,
  faults = "",
): string[] {
  const scenario = maelstromScenario(workload, broken);
  const { failures } = checkSeeds(scenario, { seeds: { from: 1, to: 10 }, faults });
  assert.ok(failures.length > 0, `${workload.name}: the broken solution passed`);
  return failures[0].violations.map((v) => v.check);
}

/** A server that answers requests by a function of the request, and ignores the rest. */
function answering(
  f: (ctx: Context<Body, string>, msg: Body) => Body | null,
): () => Actor<Body, string> {
  return () => ({
    onMessage(ctx, msg, from) {
      const body = f(ctx, msg);
      if (body !== null && msg.msg_id !== undefined) reply(ctx, from, msg, body);
    },
  });
}

Deno.test("the checkers catch broken solutions", () => {
  // echo: the wrong payload, and the wrong reply type.
  assert.ok(
    caught(echoWorkload, answering((_c, m) => ({ type: "echo_ok", echo: `${m.echo}!` }))).includes(
      "echo",
    ),
  );
  assert.ok(caught(echoWorkload, answering(() => ({ type: "echo" }))).includes("malformed-reply"));
  // unique-ids: a counter per node, without the node's id.
  let n = 0;
  assert.ok(
    caught(uniqueIdsWorkload, answering(() => ({ type: "generate_ok", id: n++ % 50 }))).includes(
      "unique-ids",
    ),
  );
  // broadcast: keeps messages to itself.
  const local = () => {
    const seen: unknown[] = [];
    return answering((_c, m) => {
      if (m.type === "broadcast") seen.push(m.message);
      return m.type === "read"
        ? { type: "read_ok", messages: [...seen] }
        : { type: `${m.type}_ok` };
    })();
  };
  assert.ok(caught(broadcastWorkload, local).includes("lost"));
  // g-counter: counts only its own adds.
  const alone = () => {
    let total = 0;
    return answering((_c, m) => {
      if (m.type === "add") total += m.delta as number;
      return m.type === "read" ? { type: "read_ok", value: total } : { type: "add_ok" };
    })();
  };
  assert.ok(caught(gCounterWorkload, alone).includes("counter"));
  // kafka: every node assigns offsets on its own.
  const unowned = () => {
    const logs = new Map<string, unknown[]>();
    return answering((_c, m) => {
      switch (m.type) {
        case "send": {
          const log = logs.get(m.key as string) ?? [];
          logs.set(m.key as string, log);
          log.push(m.msg);
          return { type: "send_ok", offset: log.length - 1 };
        }
        case "poll": {
          const msgs: Record<string, unknown[]> = {};
          for (const [k, o] of Object.entries(m.offsets as Record<string, number>)) {
            const log = logs.get(k) ?? [];
            if (o < log.length) msgs[k] = log.slice(o).map((v, i) => [o + i, v]);
          }
          return { type: "poll_ok", msgs };
        }
        case "list_committed_offsets":
          return { type: "list_committed_offsets_ok", offsets: {} };
        default:
          return { type: `${m.type}_ok` };
      }
    })();
  };
  const kafka = caught(kafkaWorkload, unowned);
  assert.ok(
    kafka.some((c) => ["inconsistent-offsets", "unseen", "duplicate"].includes(c)),
    kafka.join(),
  );
  // txn-rw-register: reads see a value nobody wrote.
  const garbage = answering((_c, m) => ({
    type: "txn_ok",
    txn: (m.txn as Array<[string, number, unknown]>).map((
      [f, k, v],
    ) => [f, k, f === "r" ? 999 : v]),
  }));
  assert.ok(caught(txnRwRegisterWorkload, garbage).includes("garbage-read"));
  // lin-kv: every node keeps its own map.
  const separate = () => {
    const map = new Map<unknown, unknown>();
    return answering((_c, m) => {
      switch (m.type) {
        case "read":
          return map.has(m.key)
            ? { type: "read_ok", value: map.get(m.key) }
            : { type: "error", code: 20 };
        case "write":
          map.set(m.key, m.value);
          return { type: "write_ok" };
        case "cas":
          if (map.get(m.key) !== m.from) return { type: "error", code: 22 };
          map.set(m.key, m.to);
          return { type: "cas_ok" };
        default:
          return null;
      }
    })();
  };
  assert.ok(caught(linKvWorkload, separate).includes("linearizability"));
});

Deno.test("txn-rw-register: the checker names aborted and intermediate reads", () => {
  const op = (id: number, status: "ok" | "fail", txn: unknown) => ({
    id,
    client: "c1",
    f: "txn",
    input: txn,
    output: txn,
    call: id,
    ret: id + 1,
    status,
  });
  const history = [
    op(0, "fail", [["w", 1, 10]]),
    op(1, "ok", [["w", 2, 20], ["w", 2, 21]]),
    op(2, "ok", [["r", 1, 10], ["r", 2, 20]]),
    op(3, "ok", [["w", 3, 30], ["r", 3, 31]]),
  ];
  assert.deepEqual(txnRwRegisterWorkload.check(history).map((v) => v.check), [
    "G1a",
    "G1b",
    "internal",
  ]);
});
