import assert from "node:assert/strict";
import { type Latency, type NetworkOptions, Simulation } from "../sim/mod.ts";
import { Burst, type Probe, Sink } from "./_actors.ts";
import { assertBinomial, assertMean, eventsOf, inversions, latencies } from "./_helpers.ts";

const N = 20_000;

/** `a` sends `count` probes to each of `targets` at time 0, through the network model. */
function blast(seed: number, network: NetworkOptions, targets = ["b"], count = N): Simulation {
  // Every event is counted below: keep them all, not only the latest window.
  const sim = new Simulation({ seed, network, traceWindow: Infinity });
  sim.spawn("a", () => new Sink());
  for (const id of targets) sim.spawn(id, () => new Sink());
  for (let seq = 0; seq < count; seq++) {
    for (const to of targets) sim.send("a", to, { type: "probe", seq } satisfies Probe);
  }
  assert.equal(sim.run().stop, "quiet");
  return sim;
}

Deno.test("loss rate is within statistical bounds", () => {
  for (const seed of [1, 2]) {
    const sim = blast(seed, { loss: 0.1 });
    const lost = eventsOf(sim, "drop").filter((d) => d.reason === "loss").length;
    assertBinomial(`seed ${seed} losses`, lost, N, 0.1);
    assert.equal(sim.stats.delivered, N - lost);
    assert.equal(sim.actor<Sink>("b")!.received.length, N - lost);
  }
});

Deno.test("duplication rate is within statistical bounds", () => {
  for (const seed of [1, 2]) {
    const sim = blast(seed, { duplicate: 0.05 });
    const dups = eventsOf(sim, "duplicate").length;
    assertBinomial(`seed ${seed} duplicates`, dups, N, 0.05);
    assert.equal(sim.stats.duplicated, dups);
    assert.equal(sim.stats.delivered, N + dups);
    // Each copy is the same message: the receiver sees its seq twice.
    const seen = new Map<number, number>();
    for (const r of sim.actor<Sink>("b")!.received) seen.set(r.seq, (seen.get(r.seq) ?? 0) + 1);
    assert.equal([...seen.values()].filter((c) => c === 2).length, dups);
  }
});

Deno.test("loss and duplication combine: copies are drawn only for messages not lost", () => {
  const sim = blast(5, { loss: 0.2, duplicate: 0.1 });
  const lost = eventsOf(sim, "drop").length;
  const dups = eventsOf(sim, "duplicate").length;
  assertBinomial("losses", lost, N, 0.2);
  assertBinomial("duplicates of survivors", dups, N - lost, 0.1);
});

Deno.test("per-link override rates differ from the default", () => {
  const sim = blast(3, {
    loss: 0.1,
    duplicate: 0.02,
    links: [{ from: "a", to: "c", loss: 0.4 }, { from: "a", to: "d", duplicate: 0.3 }],
  }, ["b", "c", "d"]);
  const lostTo = (to: string) => eventsOf(sim, "drop").filter((d) => d.to === to).length;
  const dupTo = (to: string) => eventsOf(sim, "duplicate").filter((d) => d.to === to).length;
  assertBinomial("default link a->b losses", lostTo("b"), N, 0.1);
  assertBinomial("override a->c losses", lostTo("c"), N, 0.4);
  assertBinomial("override a->d losses (inherits default)", lostTo("d"), N, 0.1);
  assertBinomial("default link a->b duplicates", dupTo("b"), N - lostTo("b"), 0.02);
  assertBinomial("override a->d duplicates", dupTo("d"), N - lostTo("d"), 0.3);
  assert.equal(sim.link("a", "c").loss, 0.4);
  assert.equal(sim.link("a", "c").duplicate, 0.02);
  // Overrides are directed: c->a keeps the default.
  assert.equal(sim.link("c", "a").loss, 0.1);
});

Deno.test("setLink overrides one link mid-configuration", () => {
  const sim = new Simulation({ seed: 9 });
  sim.spawn("a", () => new Sink());
  sim.spawn("b", () => new Sink());
  sim.setLink("a", "b", { loss: 1 });
  for (let seq = 0; seq < 100; seq++) {
    sim.send("a", "b", { type: "probe", seq });
    sim.send("b", "a", { type: "probe", seq });
  }
  sim.run();
  assert.equal(sim.actor<Sink>("b")!.received.length, 0);
  assert.equal(sim.actor<Sink>("a")!.received.length, 100);
});

function latencySample(latency: Latency, seed = 11, count = N): number[] {
  return [...latencies(blast(seed, { latency }, ["b"], count)).values()];
}

Deno.test("latency distributions", async (t) => {
  await t.step("fixed is exact", () => {
    const sample = latencySample({ kind: "fixed", ms: 7.25 }, 11, 2000);
    assert.equal(sample.length, 2000);
    assert.ok(sample.every((ms) => ms === 7.25), `not all 7.25: ${new Set(sample)}`);
  });

  await t.step("uniform stays in [min, max] and has the right mean", () => {
    const sample = latencySample({ kind: "uniform", min: 2, max: 12 });
    assert.equal(sample.length, N);
    assert.ok(Math.min(...sample) >= 2 && Math.max(...sample) <= 12);
    // ...and fills the interval, not one point of it.
    assert.ok(Math.min(...sample) < 2.1 && Math.max(...sample) > 11.9);
    assertMean("uniform 2..12", sample, 7, 10 / Math.sqrt(12));
  });

  await t.step("exponential has the right mean and respects its floor", () => {
    const sample = latencySample({ kind: "exponential", mean: 20, min: 5 });
    assert.ok(Math.min(...sample) >= 5, `below the floor: ${Math.min(...sample)}`);
    assert.ok(Math.min(...sample) < 5.1);
    assertMean("exponential mean 20 + 5", sample, 25, 20);
    // The exponential's spread: its standard deviation equals its mean.
    const mean = sample.reduce((s, x) => s + x, 0) / sample.length;
    const sd = Math.sqrt(sample.reduce((s, x) => s + (x - mean) ** 2, 0) / sample.length);
    assert.ok(Math.abs(sd - 20) < 1, `standard deviation ${sd}, expected about 20`);
  });

  await t.step("a custom function is used and draws from the seeded stream", () => {
    const custom = (log: number[]): Latency => ({
      kind: "custom",
      sample: (random, from, to) => {
        assert.equal(from, "a");
        const ms = (to === "b" ? 3 : 30) + random();
        log.push(ms);
        return ms;
      },
    });
    const run = (seed: number) => {
      const drawn: number[] = [];
      const sim = blast(seed, { latency: custom(drawn) }, ["b", "c"], 500);
      return { drawn, observed: latencies(sim), sends: eventsOf(sim, "send") };
    };
    const first = run(21);
    assert.equal(first.drawn.length, 1000);
    // What the function returned is what the messages took (to the microsecond).
    first.sends.forEach((s, i) => {
      assert.equal(first.observed.get(s.id), Math.round(first.drawn[i] * 1000) / 1000);
      assert.ok(s.to === "b" ? first.drawn[i] < 4 : first.drawn[i] >= 30);
    });
    assert.deepEqual(run(21).drawn, first.drawn, "same seed, same draws");
    assert.notDeepEqual(run(22).drawn, first.drawn, "another seed, other draws");
  });
});

function order(seed: number, fifo: boolean, count = 2000): { seqs: number[]; sim: Simulation } {
  const sim = new Simulation({
    seed,
    network: { latency: { kind: "uniform", min: 1, max: 50 }, fifo },
  });
  sim.spawn("a", () => new Burst("b", count, 0.5));
  sim.spawn("b", () => new Sink());
  sim.run();
  return { seqs: sim.actor<Sink>("b")!.received.map((r) => r.seq), sim };
}

Deno.test("FIFO links keep send order under random latency", () => {
  for (const seed of [1, 2, 3]) {
    const { seqs, sim } = order(seed, true);
    assert.equal(seqs.length, 2000);
    assert.equal(inversions(seqs), 0, `seed ${seed}: FIFO link reordered`);
    assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));
    // Latency is still random on a FIFO link, only never earlier than the message before.
    assert.ok(new Set(latencies(sim).values()).size > 100);
  }
});

Deno.test("FIFO keeps order for messages sent at the same instant", () => {
  const sim = blast(4, { latency: { kind: "uniform", min: 1, max: 50 }, fifo: true }, ["b"], 500);
  const seqs = sim.actor<Sink>("b")!.received.map((r) => r.seq);
  assert.deepEqual(seqs, Array.from({ length: 500 }, (_, i) => i));
});

Deno.test("default links reorder", () => {
  for (const seed of [1, 2, 3]) {
    const { seqs } = order(seed, false);
    assert.equal(seqs.length, 2000);
    assert.ok(inversions(seqs) > 0, `seed ${seed}: no message overtook another`);
  }
});

Deno.test("a per-link FIFO override orders that link only", () => {
  const sim = blast(
    6,
    {
      latency: { kind: "uniform", min: 1, max: 50 },
      links: [{ from: "a", to: "b", fifo: true }],
    },
    ["b", "c"],
    1000,
  );
  const seqs = (id: string) => sim.actor<Sink>(id)!.received.map((r) => r.seq);
  assert.equal(inversions(seqs("b")), 0);
  assert.ok(inversions(seqs("c")) > 0);
});
