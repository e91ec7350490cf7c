/**
 * Trace files: a saved run loads back equal, its hash is checked, and a
 * damaged or foreign file is refused with an error that says what is wrong.
 */

import assert from "node:assert/strict";
import { ConfigError } from "../sim/errors.ts";
import { runScenario } from "../sim/scenario.ts";
import { hashEvents, type TraceEvent } from "../sim/trace.ts";
import { loadTrace, saveTrace, type TraceFile, traceFileFromResult } from "../sim/trace_file.ts";
import { gossip } from "../protocols/gossip/scenario.ts";
import { pingPong } from "../protocols/ping_pong/scenario.ts";

const given = {
  seed: 3,
  network: { loss: 0.2, duplicate: 0.1 },
  faults: "@40 crash n2; @120 restart n2",
};
const run = runScenario(pingPong, given);
const file = traceFileFromResult(run);
const text = saveTrace(file);

/** Asserts that `fn` throws a ConfigError whose message matches every pattern. */
function refuses(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `not a ConfigError: ${e}`);
    assert.ok(e.message.startsWith("trace file: "), e.message);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

Deno.test("a scenario run saves and loads back equal", async (t) => {
  await t.step("the file says what ran", () => {
    assert.equal(file.format, "dsim-trace");
    assert.equal(file.version, 2);
    assert.deepEqual(file.spec, {
      scenario: "ping-pong",
      seed: 3,
      nodes: 2,
      until: 1000,
      loss: 0.2,
      dup: 0.1,
      faults: "@40 crash n2; @120 restart n2",
      flags: { rounds: 10, retry: 50 },
    });
    assert.equal(file.forgotten, 0);
    assert.equal(file.traceHash, run.traceHash);
    assert.deepEqual(file.events, run.sim.trace.events);
  });

  await t.step("round trip: load(save(f)) equals f, and saves to the same text", () => {
    const back = loadTrace(text);
    assert.deepStrictEqual(back, file);
    assert.equal(saveTrace(back), text);
    assert.equal(hashEvents(back.events), run.traceHash);
  });

  await t.step("one event per line, so traces diff line by line", () => {
    const lines = text.split("\n");
    const events = lines.filter((l) => l.startsWith("    {"));
    assert.equal(events.length, file.events.length);
    events.forEach((l, i) => assert.deepEqual(JSON.parse(l.replace(/,$/, "")), file.events[i]));
  });

  await t.step("a gossip run with partitions and duplicates round-trips too", () => {
    const g = {
      seed: 9,
      nodes: 6,
      network: { loss: 0.1, duplicate: 0.1 },
      faults: "@50 partition n1,n2|n3,n4,n5,n6; @150 heal; @60 crash n5; @200 restart n5",
    };
    const r = runScenario(gossip, g);
    const f = traceFileFromResult(r);
    assert.ok(f.events.some((e) => e.kind === "partition"));
    assert.ok(f.events.some((e) => e.kind === "duplicate"));
    assert.deepStrictEqual(loadTrace(saveTrace(f)), f);
  });

  await t.step("a long run's file holds its latest events and says how many it forgot", () => {
    const long = runScenario(pingPong, { ...given, flags: { rounds: 200 }, until: 20_000 }, {
      traceWindow: 50,
    });
    const f = traceFileFromResult(long);
    assert.equal(f.events.length, 50);
    assert.equal(f.forgotten, long.sim.trace.count - 50);
    // The hash is the whole run's, so it cannot be checked against the tail; it loads.
    assert.deepStrictEqual(loadTrace(saveTrace(f)), f);
  });

  await t.step("a run that kept no events cannot be saved", () => {
    const quiet = runScenario(pingPong, { seed: 3, trace: "hash" });
    assert.throws(() => traceFileFromResult(quiet), (e: Error) => {
      return e instanceof ConfigError && /trace mode "hash"/.test(e.message);
    });
  });
});

Deno.test("values JSON cannot hold round-trip through their documented encoding", () => {
  const events: TraceEvent[] = [
    { t: 0, kind: "invoke", node: "c1", op: 0, f: "read", input: undefined },
    {
      t: 1,
      kind: "log",
      node: "c1",
      note: "odd values",
      data: {
        ret: Infinity,
        low: -Infinity,
        nan: NaN,
        zero: -0,
        missing: undefined,
        list: [1, undefined, Infinity],
        $dsim: "a key of the run's own",
        nested: { $dsim: "Infinity" },
        ["__proto__"]: { x: 1 },
      },
    },
    { t: 2, kind: "complete", node: "c1", op: 0, status: "ok", output: undefined },
  ];
  // A "__proto__" own key, as JSON.parse makes it (an object literal would set the prototype).
  const data = (events[1] as { data: Record<string, unknown> }).data;
  delete data["__proto__"];
  Object.defineProperty(data, "__proto__", { value: { x: 1 }, enumerable: true, writable: true });
  const f: TraceFile = {
    format: "dsim-trace",
    version: 2,
    dsim: "0.2.0",
    spec: { scenario: "x", seed: 1, nodes: 1, until: 10, faults: "", flags: {} },
    events,
    forgotten: 0,
    traceHash: hashEvents(events),
  };
  const saved = saveTrace(f);
  assert.ok(!saved.includes("Infinity,") && !saved.includes("null,"), saved);
  assert.match(saved, /"ret":\{"\$dsim":"Infinity"\}/);
  assert.match(saved, /"missing":\{"\$dsim":"undefined"\}/);
  assert.match(saved, /\{"\$dsim":"object","value":\{/);
  const back = loadTrace(saved);
  assert.deepStrictEqual(back, f);
  const d = (back.events[1] as { data: Record<string, unknown> }).data;
  assert.equal(d.ret, Infinity);
  assert.ok(Object.is(d.zero, -0) && Number.isNaN(d.nan));
  assert.ok("missing" in d && d.missing === undefined);
  assert.equal(d.$dsim, "a key of the run's own");
  assert.deepEqual(d.nested, { $dsim: "Infinity" });
  assert.equal(Object.getPrototypeOf(d), Object.prototype);
  assert.ok(Object.hasOwn(back.events[2], "output"));
});

Deno.test("a tampered trace is detected by its hash", () => {
  const i = file.events.findIndex((e) => e.kind === "deliver");
  const e = file.events[i] as Extract<TraceEvent, { kind: "deliver" }>;
  const line = JSON.stringify(e);
  const msg = e.msg as { type: string; n: number };
  const forged = JSON.stringify({ ...e, msg: { ...msg, n: msg.n + 100 } });
  assert.ok(text.includes(line));
  const tampered = text.replace(line, forged);
  const actual = hashEvents(loadTrace(tampered, { verify: false }).events);
  assert.notEqual(actual, file.traceHash);
  refuses(() => loadTrace(tampered), new RegExp(actual), new RegExp(file.traceHash), /verify/);
  // Dropping an event is caught too.
  const lines = text.split("\n");
  const cut = lines.filter((l) => l !== `    ${line},`).join("\n");
  assert.notEqual(cut, text);
  refuses(() => loadTrace(cut), /hash/);
  // And so is a changed hash.
  refuses(() => loadTrace(text.replace(file.traceHash, "0123456789abcdef")), /0123456789abcdef/);
});

Deno.test("malformed and foreign files are refused, naming the problem", async (t) => {
  await t.step("not JSON: the error gives line and column", () => {
    const lines = text.split("\n");
    lines[12] = lines[12].slice(0, 10) + "?" + lines[12].slice(10);
    refuses(() => loadTrace(lines.join("\n")), /not JSON at line 13, column 11/, /"\?"/);
    refuses(() => loadTrace(text.slice(0, text.length - 20)), /not JSON at line \d+/, /ends/);
    refuses(() => loadTrace(""), /not JSON/, /empty/);
    refuses(() => loadTrace("[1, 2,]"), /not JSON at line 1, column 7/);
  });

  const edit = (f: (o: Record<string, unknown>) => void) => {
    const o = JSON.parse(text);
    f(o);
    return JSON.stringify(o);
  };

  await t.step("wrong format or version", () => {
    refuses(() => loadTrace("[]"), /must be a JSON object/);
    refuses(() => loadTrace(edit((o) => o.format = "chrome-trace")), /format must be dsim-trace/);
    refuses(() => loadTrace(edit((o) => delete o.format)), /format must be dsim-trace/);
    refuses(() => loadTrace(edit((o) => o.version = 1)), /version 1 is not supported/);
  });

  await t.step("bad header fields", () => {
    const spec = (o: Record<string, unknown>) => o.spec as Record<string, unknown>;
    refuses(() => loadTrace(edit((o) => spec(o).seed = "three")), /spec\.seed: must be a whole/);
    refuses(() => loadTrace(edit((o) => spec(o).faults = "@x boom")), /faults entry 1/);
    refuses(() => loadTrace(edit((o) => delete o.spec)), /spec: must be an object/);
    refuses(() => loadTrace(edit((o) => o.traceHash = "xyz")), /traceHash must be 16 hex/);
    refuses(() => loadTrace(edit((o) => o.events = {})), /events must be an array/);
    refuses(() => loadTrace(edit((o) => o.extra = 1)), /unknown field "extra"/);
    refuses(() => loadTrace(edit((o) => spec(o).loss = 2)), /spec\.loss: must be a probability/);
    refuses(() => loadTrace(edit((o) => spec(o).latency = "fast")), /spec\.latency/);
  });

  await t.step("bad events, by index", () => {
    refuses(
      () => loadTrace(edit((o) => (o.events as Record<string, unknown>[])[12].kind = "x")),
      /event 12 has unknown kind 'x'/,
    );
    refuses(
      () => loadTrace(edit((o) => delete (o.events as Record<string, unknown>[])[3].from)),
      /event 3 \(deliver\) field 'from' must be a node id/,
    );
    refuses(
      () => loadTrace(edit((o) => (o.events as Record<string, unknown>[])[5].t = -1)),
      /event 5 .* t >= 0/,
    );
    refuses(
      () => loadTrace(edit((o) => (o.events as Record<string, unknown>[])[5].t = 99999)),
      /event 6 at t=.* comes after an event at t=99999/,
    );
    refuses(
      () => loadTrace(edit((o) => (o.events as Record<string, unknown>[])[1].colour = "red")),
      /event 1 \(send\) has unknown field 'colour'/,
    );
    refuses(
      () => loadTrace(edit((o) => (o.events as unknown[])[0] = 7)),
      /event 0 must be an object/,
    );
    refuses(
      () =>
        loadTrace(edit((o) => (o.events as Record<string, unknown>[])[0].node = { $dsim: "?" })),
      /event 0\.node has an unknown \$dsim tag/,
    );
  });
});

Deno.test("B13: relativeModule is an optional field: kept on save and load, checked, never required", () => {
  const file = traceFileFromResult(runScenario(pingPong, { seed: 2 }));
  assert.equal(file.relativeModule, undefined);
  const plain = saveTrace(file);
  assert.doesNotMatch(plain, /relativeModule/);
  const text = saveTrace({ ...file, relativeModule: "../src/ping.ts" });
  assert.match(text.split("\n")[5], /^ {2}"relativeModule": "\.\.\/src\/ping\.ts",$/);
  assert.equal(loadTrace(text).relativeModule, "../src/ping.ts");
  assert.equal(loadTrace(plain).relativeModule, undefined);
  for (const bad of ['""', "3"]) {
    assert.throws(
      () => loadTrace(text.replace('"../src/ping.ts"', bad)),
      (e: unknown) =>
        e instanceof ConfigError && /relativeModule must be the module's path/.test(e.message),
    );
  }
});
