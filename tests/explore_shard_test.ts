import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { ConfigError } from "../sim/errors.ts";
import {
  formatSeedRange,
  formatShard,
  inShard,
  parseSeedRange,
  parseShard,
  shardSeeds,
} from "../sim/explore/shard.ts";

Deno.test("seed ranges and shards parse, print back, and refuse bad input by flag", async (t) => {
  await t.step("ranges", () => {
    assert.deepEqual(parseSeedRange("1..100"), { from: 1, to: 100 });
    assert.deepEqual(parseSeedRange(" 7 "), { from: 7, to: 7 });
    assert.equal(formatSeedRange(parseSeedRange("0..9")), "0..9");
    for (const bad of ["", "a..b", "5..1", "-1..3", "1..2..3", "1.5..3"]) {
      assert.throws(
        () => parseSeedRange(bad),
        (e: unknown) =>
          e instanceof ConfigError && e.input === "--seeds" && /A\.\.B/.test(e.message),
        bad,
      );
    }
  });
  await t.step("shards", () => {
    assert.deepEqual(parseShard("2/4"), { index: 2, count: 4 });
    assert.equal(formatShard(parseShard("1/1")), "1/1");
    for (const bad of ["0/3", "4/3", "1/0", "1", "a/b", "1/2/3"]) {
      assert.throws(
        () => parseShard(bad),
        (e: unknown) => e instanceof ConfigError && e.input === "--shard" && /K\/M/.test(e.message),
        bad,
      );
    }
  });
});

Deno.test("the shards of a range split it: disjoint, complete, in order, balanced", () => {
  fc.assert(
    fc.property(
      fc.nat(10_000),
      fc.nat(300),
      fc.integer({ min: 1, max: 12 }),
      (from, length, count) => {
        const range = { from, to: from + length };
        const all = shardSeeds(range);
        assert.deepEqual(all, Array.from({ length: length + 1 }, (_, i) => from + i));
        const parts = Array.from(
          { length: count },
          (_, k) => shardSeeds(range, { index: k + 1, count }),
        );
        const union = parts.flat().sort((a, b) => a - b);
        assert.deepEqual(union, all, "every seed in exactly one shard");
        parts.forEach((seeds, k) => {
          assert.ok(seeds.every((s, i) => i === 0 || s > seeds[i - 1]), "increasing");
          assert.ok(seeds.every((s) => inShard(s, { index: k + 1, count })));
        });
        const sizes = parts.map((p) => p.length);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced: ${sizes}`);
      },
    ),
  );
});

Deno.test("a seed's shard does not depend on where the range starts", () => {
  const shard = { index: 3, count: 5 };
  const wide = new Set(shardSeeds({ from: 0, to: 200 }, shard));
  const narrow = shardSeeds({ from: 57, to: 120 }, shard);
  assert.ok(narrow.length > 0);
  assert.ok(narrow.every((s) => wide.has(s)));
  assert.deepEqual(shardSeeds({ from: 5, to: 6 }, { index: 1, count: 10 }), []);
});

Deno.test("a sweep too big for one machine says to shard it", () => {
  assert.throws(
    () => shardSeeds({ from: 0, to: 20_000_000 }),
    (e: unknown) => e instanceof ConfigError && /--shard K\/M/.test(e.message),
  );
  assert.equal(shardSeeds({ from: 0, to: 20_000_000 }, { index: 1, count: 4 }).length, 5_000_001);
});
