import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { MAX_SEED } from "../sim/mod.ts";
import { faultyRun, HASHED_SCENARIOS } from "./_hash_seeds.ts";

const SEEDS = Array.from({ length: 200 }, (_, i) => i);

Deno.test("same seed gives the same trace hash, 200 seeds, with loss, dup and random faults", async (t) => {
  for (const name of HASHED_SCENARIOS) {
    await t.step(name, () => {
      let faulted = 0, lossy = 0, duplicated = 0;
      for (const seed of SEEDS) {
        const a = faultyRun(name, seed, "full");
        const b = faultyRun(name, seed, "full");
        assert.equal(b.traceHash, a.traceHash, `${name} seed ${seed}: hashes differ`);
        assert.equal(b.events, a.events, `${name} seed ${seed}: event counts differ`);
        assert.equal(b.faults, a.faults, `${name} seed ${seed}: generated faults differ`);
        if (a.faults !== "") faulted++;
        if (a.sim.stats.dropped > 0) lossy++;
        if (a.sim.stats.duplicated > 0) duplicated++;
      }
      // The runs must actually exercise the faults, or equal hashes prove little.
      assert.ok(faulted > 80, `${name}: only ${faulted} of 200 runs had faults`);
      assert.ok(lossy > 100, `${name}: only ${lossy} of 200 runs dropped a message`);
      assert.ok(duplicated > 50, `${name}: only ${duplicated} of 200 runs duplicated one`);
    });
  }
});

Deno.test("tracing mode does not change the run: full and hash give one hash, off the same counts", () => {
  for (const name of HASHED_SCENARIOS) {
    for (const seed of [3, 99, 12345]) {
      const full = faultyRun(name, seed, "full");
      const hashOnly = faultyRun(name, seed, "hash");
      const off = faultyRun(name, seed, "off");
      assert.equal(hashOnly.traceHash, full.traceHash);
      assert.equal(off.traceHash, "");
      assert.deepEqual(off.sim.stats, full.sim.stats, `${name} seed ${seed}`);
      assert.equal(off.virtualMs, full.virtualMs);
    }
  }
});

Deno.test("different seeds give different trace hashes", () => {
  for (const name of HASHED_SCENARIOS) {
    const hashes = new Set(SEEDS.map((seed) => faultyRun(name, seed).traceHash));
    assert.equal(hashes.size, SEEDS.length, `${name}: only ${hashes.size} distinct hashes`);
  }
});

Deno.test("same seed gives the same trace hash in another process", async () => {
  const seeds = [0, 1, 7, 42, 65537, 2 ** 32 + 5, MAX_SEED];
  const script = fromFileUrl(new URL("./_hash_seeds.ts", import.meta.url));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-prompt", script, ...seeds.map(String)],
    cwd: fromFileUrl(new URL("..", import.meta.url)),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `child process failed: ${stderr}`);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  const theirs = lines.map((l) =>
    JSON.parse(l) as { scenario: string; seed: number; hash: string }
  );
  assert.equal(theirs.length, seeds.length * HASHED_SCENARIOS.length);
  for (const { scenario, seed, hash } of theirs) {
    assert.match(hash, /^[0-9a-f]{16}$/);
    assert.equal(hash, faultyRun(scenario, seed).traceHash, `${scenario} seed ${seed}`);
  }
  assert.equal(new Set(theirs.map((x) => x.hash)).size, theirs.length, "hashes should differ");
});
