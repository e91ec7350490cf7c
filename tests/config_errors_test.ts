import assert from "node:assert/strict";
import { scenarios } from "../protocols/registry.ts";
import {
  ConfigError,
  defineScenario,
  flag,
  generateFaults,
  type Latency,
  type NetworkOptions,
  parseFaults,
  parseFaultSpec,
  parseLatency,
  resolveParams,
  Simulation,
  type SimulationOptions,
  type SpawnOptions,
} from "../sim/mod.ts";
import { Sink } from "./_actors.ts";

/** Asserts `fn` throws a ConfigError whose message matches every pattern. */
function rejects(fn: () => unknown, ...patterns: RegExp[]): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
  for (const p of patterns) assert.match(error.message, p);
}

function sim(options: Partial<SimulationOptions> = {}): Simulation {
  const s = new Simulation({ seed: 1, ...options });
  for (const id of ["a", "b"]) s.spawn(id, () => new Sink());
  return s;
}

const net = (network: NetworkOptions) => () => sim({ network });

Deno.test("bad latencies are rejected, naming the latency", async (t) => {
  const cases: Array<[string, Latency, RegExp[]]> = [
    ["negative fixed", { kind: "fixed", ms: -1 }, [/^latency: /, /-1/]],
    ["NaN fixed", { kind: "fixed", ms: NaN }, [/^latency: /, /NaN/]],
    ["negative uniform min", { kind: "uniform", min: -2, max: 5 }, [/latency min/, /-2/]],
    ["uniform max < min", { kind: "uniform", min: 5, max: 1 }, [
      /latency/,
      /max \(1\) must be >= min \(5\)/,
    ]],
    ["negative exponential mean", { kind: "exponential", mean: -3 }, [/latency mean/, /-3/]],
    ["negative exponential floor", { kind: "exponential", mean: 3, min: -1 }, [
      /latency min/,
      /-1/,
    ]],
    ["unknown kind", { kind: "gaussian" } as unknown as Latency, [
      /latency/,
      /gaussian/,
      /fixed, uniform/,
    ]],
  ];
  for (const [name, latency, patterns] of cases) {
    await t.step(name, () => rejects(net({ latency }), ...patterns));
  }
  await t.step("per link", () =>
    rejects(
      net({ links: [{ from: "a", to: "b", latency: { kind: "fixed", ms: -4 } }] }),
      /link a->b latency/,
      /-4/,
    ));
  await t.step("a custom function returning a negative latency", () => {
    const s = sim({ network: { latency: { kind: "custom", sample: () => -7 } } });
    assert.throws(() => s.send("a", "b", { type: "probe", seq: 0 }), /latency: .*-7 for a->b/);
  });
  await t.step("command-line forms", () => {
    rejects(() => parseLatency("5..1"), /latency/, /max \(1\) must be >= min \(5\)/);
    rejects(() => parseLatency("-5"), /latency/, /"-5"/);
    rejects(() => parseLatency("fast", "--latency"), /^--latency: /, /"fast"/, /MIN\.\.MAX/);
  });
});

Deno.test("probabilities outside [0, 1] are rejected, naming loss, duplicate or the link", async (t) => {
  const cases: Array<[string, NetworkOptions, RegExp[]]> = [
    ["loss above 1", { loss: 1.5 }, [/^loss: /, /\[0, 1\]/, /1\.5/]],
    ["negative loss", { loss: -0.1 }, [/^loss: /, /-0\.1/]],
    ["NaN loss", { loss: NaN }, [/^loss: /, /NaN/]],
    ["duplicate above 1", { duplicate: 2 }, [/^duplicate: /, /got 2/]],
    ["negative duplicate", { duplicate: -1 }, [/^duplicate: /, /got -1/]],
    ["per-link loss", { links: [{ from: "a", to: "b", loss: 1.01 }] }, [/link a->b loss/, /1\.01/]],
    ["per-link duplicate", { links: [{ from: "b", to: "a", duplicate: -0.5 }] }, [
      /link b->a duplicate/,
      /-0\.5/,
    ]],
  ];
  for (const [name, network, patterns] of cases) {
    await t.step(name, () => rejects(net(network), ...patterns));
  }
  await t.step(
    "setLink",
    () => rejects(() => sim().setLink("a", "b", { loss: 3 }), /link a->b loss/, /got 3/),
  );
  await t.step(
    "fifo must be a boolean",
    () => rejects(net({ fifo: "yes" as unknown as boolean }), /fifo/, /yes/),
  );
});

Deno.test("unknown node ids are rejected, naming the id and the known ones", async (t) => {
  await t.step("send", () => {
    rejects(() => sim().send("a", "zz", { type: "probe", seq: 0 }), /"zz"/, /known: a, b/);
    rejects(() => sim().send("outside", "zz", {}), /send to/, /"zz"/);
  });
  await t.step("send from inside an actor is reported as its exception", () => {
    const s = new Simulation({ seed: 1 });
    s.spawn("a", () => ({ onStart: (ctx) => ctx.send("ghost", {}), onMessage() {} }));
    const r = s.run();
    assert.equal(r.violations[0].check, "actor-exception");
    assert.match(r.violations[0].message, /a sent to unknown node id "ghost"; known: a/);
  });
  await t.step("partition and block", () => {
    rejects(() => sim().partition(["a"], ["b", "zz"]), /^partition: /, /"zz"/);
    rejects(() => sim().block("a", "zz"), /block to/, /"zz"/);
    rejects(() => sim().block("zz", "a"), /block from/, /"zz"/);
  });
  await t.step("schedule", () => {
    rejects(
      () => sim().schedule([{ at: 5, action: { type: "crash", node: "zz" } }]),
      /faults entry 1 \(@5 crash zz\)/,
      /unknown node id "zz"/,
    );
    rejects(
      () => sim().schedule(parseFaults("@1 heal; @2 partition a|zz")),
      /faults entry 2/,
      /"zz"/,
    );
  });
  await t.step("setLink and links in the options", () => {
    rejects(() => sim().setLink("a", "zz", {}), /link to/, /"zz"/);
    rejects(() => sim().setLink("zz", "a", {}), /link from/, /"zz"/);
    const s = sim({ network: { links: [{ from: "a", to: "zz", loss: 0.5 }] } });
    rejects(() => s.run(), /link a->zz/, /never spawned/);
  });
  await t.step("node operations", () => {
    for (const op of ["crash", "restart", "pause", "resume", "status", "storage"] as const) {
      rejects(() => sim()[op]("zz"), /"zz"/, /known: a, b/);
    }
    rejects(() => sim().setClock("zz", { skewMs: 1 }), /"zz"/);
  });
});

Deno.test("duplicate and malformed node ids are rejected, naming the id", () => {
  rejects(() => sim().spawn("a", () => new Sink()), /node id/, /"a" is already spawned/);
  for (const bad of ["", "has space", "a|b", "a,b", "a>b", "x".repeat(33), "ünï"]) {
    rejects(
      () => sim().spawn(bad, () => new Sink()),
      /node id/,
      new RegExp(RegExp.escape(JSON.stringify(bad))),
    );
  }
  rejects(() => sim().spawn("ok", "nope" as unknown as () => Sink), /spawn ok/, /factory/);
  rejects(() => sim().send("bad id", "a", {}), /^external: "bad id" is not allowed/);
});

Deno.test("faults at a negative time are rejected", () => {
  rejects(
    () => sim().schedule([{ at: -1, action: { type: "crash", node: "a" } }]),
    /faults entry 1 \(@-1 crash a\)/,
    /must be a number >= 0, got -1/,
  );
  rejects(() => sim().schedule({ at: NaN, action: { type: "heal" } }), /@NaN heal/, /got NaN/);
  rejects(
    () => parseFaults("@-5 crash n1"),
    /faults entry 1 \("@-5 crash n1"\)/,
    /time must be >= 0, got -5/,
  );
  const s = sim();
  s.at(1000, () => {}); // keeps the run busy past 100, so time reaches it
  s.run({ until: 100 });
  rejects(
    () => s.schedule({ at: 50, action: { type: "heal" } }),
    /time 50 is in the past \(now 100\)/,
  );
  rejects(() => sim().at(-3, () => {}), /^at: /, /got -3/);
});

Deno.test("malformed fault text is rejected, naming the entry", async (t) => {
  const cases: Array<[string, RegExp]> = [
    ["crash n1", /cannot read it; entries look like '@100 crash n1'/],
    ["@x crash n1", /cannot read it/],
    ["@10", /cannot read it/],
    ["@10 explode n1", /unknown action 'explode'/],
    ["@10 crash", /'crash' needs a node id/],
    ["@10 crash n1 n2", /'crash' takes 1 argument\(s\), got 2/],
    ["@10 heal now", /'heal' takes 0 argument\(s\), got 1/],
    ["@10 partition n1", /partition needs two or more non-empty groups/],
    ["@10 partition n1|", /partition needs two or more non-empty groups/],
    ["@10 block n1", /block needs a link FROM>TO/],
    ["@10 block n1>n2>n3", /block needs a link FROM>TO/],
    ["@10 skew n1 soon", /skew needs a number of ms from -86400000 to \+86400000, got soon/],
    ["@10 skew n1", /'skew' takes 2 argument\(s\), got 1/],
    ["@10 drift n1 -2", /drift needs a rate from -0.5 \(half speed\) to 1 .*got -2/],
    ["@10 drift n1 1e9", /drift needs a rate from -0.5 .*got 1e9/],
    ["@10 partition a,b|b,c", /b is in two groups of one partition/],
    ["@10 restart n1", /n1 is running then: crash it before restarting it/],
    ["@10 crash bad!id", /"bad!id" is not allowed/],
    ["@10 partition a,b|c d", /'partition' takes 1 argument\(s\), got 2/],
  ];
  for (const [text, problem] of cases) {
    await t.step(text, () => {
      const entry = new RegExp(`faults entry 2 \\(${RegExp.escape(JSON.stringify(text))}\\)`);
      rejects(() => parseFaults(`@1 heal; ${text}`), entry, problem);
    });
  }
});

Deno.test("bad seeds are rejected, naming the seed", () => {
  for (const seed of [-1, 1.5, 2 ** 53, NaN, Infinity, "7" as unknown as number]) {
    rejects(
      () => new Simulation({ seed }),
      /^seed: /,
      /whole number from 0 to 9007199254740991/,
      new RegExp(`got ${seed}`),
    );
  }
  rejects(() => new Simulation(undefined as unknown as SimulationOptions), /^seed: /);
  rejects(() => new Simulation({ seed: 1, trace: "verbose" as "full" }), /^trace: /, /"verbose"/);
});

Deno.test("bad mailbox capacity and service time are rejected, naming the node", () => {
  const spawn = (options: SpawnOptions<unknown>) => () =>
    sim().spawn("c", () => new Sink(), options);
  for (const capacity of [0, -1, 1.5, NaN]) {
    rejects(
      spawn({ mailboxCapacity: capacity }),
      /mailboxCapacity of c/,
      new RegExp(`got ${capacity}`),
    );
  }
  for (const service of [-1, NaN, Infinity]) {
    rejects(spawn({ serviceTimeMs: service }), /serviceTimeMs of c/, new RegExp(`got ${service}`));
  }
  rejects(spawn({ clock: { drift: -1 } }), /clock drift/, /from -0.5 \(half speed\) .*got -1/);
  rejects(spawn({ clock: { drift: 1e9 } }), /clock drift/, /got 1000000000/);
  rejects(spawn({ clock: { skewMs: 1e12 } }), /clock skew/, /a day/);
  rejects(() => sim().setClock("a", { drift: -3 }), /clock drift/, /got -3/);
  rejects(spawn({ clock: { skewMs: NaN } }), /clock skew/, /got NaN/);
});

Deno.test("bad until and maxEvents are rejected", () => {
  rejects(() => sim().run({ until: -5 }), /^until: /, /got -5/);
  rejects(() => sim().run({ until: NaN }), /^until: /, /got NaN/);
  const s = sim();
  s.at(1000, () => {}); // keeps the run busy past 100, so time reaches it
  s.run({ until: 100 });
  rejects(() => s.run({ until: 50 }), /^until: /, /now \(100\)/, /got 50/);
  rejects(() => sim().run({ maxEvents: -1 }), /^maxEvents: /, /got -1/);
  rejects(() => sim().run({ maxEvents: NaN }), /^maxEvents: /, /got NaN/);
  const pingPong = scenarios.get("ping-pong");
  rejects(() => resolveParams(pingPong, { until: 0 }), /^until: /, /got 0/);
  rejects(() => resolveParams(pingPong, { nodes: 3 }), /^nodes: /, /2 to 2 nodes, got 3/);
});

Deno.test("bad --faults random rates are rejected, naming the rate", () => {
  rejects(() => parseFaultSpec("random:crash=-1"), /^faults: /, /"crash=-1"/, />= 0/);
  rejects(() => parseFaultSpec("random:crash=often"), /"crash=often"/);
  rejects(() => parseFaultSpec("random:crash"), /"crash"/, /KEY=NUMBER/);
  rejects(() => parseFaultSpec("random:crash="), /"crash="/);
  rejects(
    () => parseFaultSpec("random:boom=1"),
    /unknown rate "boom"/,
    /crash, partition, pause, clock, duration, skew/,
  );
  rejects(() => parseFaultSpec("randomly"), /faults entry 1/);
  rejects(() => generateFaults(1, ["a"], 100, { crash: -2 }), /fault rate crash/, /got -2/);
  rejects(
    () => generateFaults(1, ["a"], 100, { meanDurationMs: NaN }),
    /fault rate meanDurationMs/,
  );
});

Deno.test("a negative timer is reported as the actor's exception, naming the timer", () => {
  const s = new Simulation({ seed: 1 });
  s.spawn("a", () => ({ onStart: (ctx) => ctx.setTimer("retry", -5), onMessage() {} }));
  const r = s.run();
  assert.equal(r.violations[0].check, "actor-exception");
  assert.equal(r.violations[0].node, "a");
  assert.match(
    r.violations[0].message,
    /setTimer\(retry\): afterMs must be a finite number >= 0, got -5/,
  );
});

Deno.test("scenario flag names: the command line's own, malformed and no- prefixed are refused", () => {
  const define = (name: string) => () =>
    defineScenario({
      name: "named",
      summary: "a scenario with one flag",
      defaults: { nodes: 1, until: 10 },
      flags: { [name]: flag.bool("a flag", false) },
      setup() {},
    });
  rejects(define("seed"), /flag "seed"/, /command line's own flags/);
  rejects(define("Upper_case"), /flag "Upper_case"/, /lower-case-with-dashes/);
  rejects(define("no-locking"), /flag "no-locking"/, /must not start with no-/, /"locking"/);
  assert.doesNotThrow(define("locking"));
  assert.doesNotThrow(define("notes"));
});
