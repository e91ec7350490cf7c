import assert from "node:assert/strict";
import {
  availability,
  availabilityRow,
  formatAvailabilityTable,
  LESSON_SETUPS,
  measureAvailability,
  type QuorumSetup,
  verifyAvailability,
} from "../protocols/quorum/availability.ts";
import { ConfigError } from "../sim/errors.ts";

Deno.test("tolerated failures follow from N, R and W", () => {
  const cases: [QuorumSetup, number, number, boolean][] = [
    // setup, reads survive, writes survive, quorums overlap
    [{ protocol: "quorum", n: 3, r: 2, w: 2 }, 1, 1, true],
    [{ protocol: "quorum", n: 3, r: 1, w: 1 }, 2, 2, false],
    [{ protocol: "quorum", n: 5, r: 1, w: 5 }, 4, 0, true],
    [{ protocol: "quorum", n: 5, r: 4, w: 2 }, 1, 3, true],
    // A read that writes back needs a write quorum too.
    [{ protocol: "quorum", n: 5, r: 2, w: 4, readRepair: "sync" }, 1, 1, true],
    [{ protocol: "quorum", n: 5, r: 2, w: 4, readRepair: "async" }, 3, 1, true],
    [{ protocol: "abd", n: 5, r: 3, w: 3 }, 2, 2, true],
    // ABD's writes query a read quorum first, unless there is one writer.
    [{ protocol: "abd", n: 5, r: 4, w: 2 }, 1, 1, true],
    [{ protocol: "abd", n: 5, r: 4, w: 2, singleWriter: true }, 1, 3, true],
  ];
  for (const [setup, reads, writes, overlap] of cases) {
    const a = availability(setup);
    assert.deepEqual(
      [a.readFaults, a.writeFaults, a.overlap],
      [reads, writes, overlap],
      JSON.stringify(setup),
    );
  }
  assert.equal(availability({ protocol: "quorum", n: 3, r: 1, w: 1 }).guarantee, "may be stale");
  assert.equal(availability({ protocol: "abd", n: 3, r: 2, w: 2 }).guarantee, "linearizable");
});

Deno.test("the simulator agrees with the table for every crash count", () => {
  for (const setup of LESSON_SETUPS) {
    const row = availabilityRow(setup);
    assert.equal(row.verified, true, `${JSON.stringify(setup)}: ${row.mismatch}`);
  }
  assert.ok(LESSON_SETUPS.some((s) => s.n === 3) && LESSON_SETUPS.some((s) => s.n === 5));
});

Deno.test("measured outcomes: what fails, and how", () => {
  const plain: QuorumSetup = { protocol: "quorum", n: 3, r: 2, w: 2 };
  assert.deepEqual(measureAvailability(plain, 1), { read: "ok", write: "ok" });
  // No read quorum: the read certainly changed nothing; the write may have landed.
  assert.deepEqual(measureAvailability(plain, 2), { read: "fail", write: "info" });
  // R = 1 reads survive two crashes, unless the read must write back to W = 3.
  assert.equal(measureAvailability({ protocol: "quorum", n: 3, r: 1, w: 3 }, 2).read, "ok");
  assert.equal(
    measureAvailability({ protocol: "quorum", n: 3, r: 1, w: 3, readRepair: "sync" }, 1).read,
    "fail",
  );
  // An ABD write whose query cannot finish never sent a Write: fail, not info.
  assert.deepEqual(measureAvailability({ protocol: "abd", n: 3, r: 2, w: 2 }, 2), {
    read: "fail",
    write: "fail",
  });
});

Deno.test("a wrong prediction is caught", () => {
  const setup: QuorumSetup = { protocol: "quorum", n: 3, r: 1, w: 3 };
  const right = availability(setup);
  assert.deepEqual(verifyAvailability(setup, right), { verified: true });
  // Claiming plain reads need a write quorum: a read with one replica down succeeds anyway.
  assert.deepEqual(verifyAvailability(setup, { ...right, readFaults: 0 }), {
    verified: false,
    mismatch: "1 down: the read ended ok, predicted unavailable",
  });
  // Claiming writes survive a crash: the write with one down is not ok.
  assert.deepEqual(verifyAvailability(setup, { ...right, writeFaults: 1 }), {
    verified: false,
    mismatch: "1 down: the write ended info, predicted ok",
  });
});

Deno.test("the table fits 100 columns and has a row per configuration", () => {
  const rows = LESSON_SETUPS.map((s) => availabilityRow(s, false));
  const text = formatAvailabilityTable(rows);
  const lines = text.split("\n");
  for (const line of lines) assert.ok([...line].length <= 100, line);
  assert.equal(lines.filter((l) => /^│ [35] /.test(l)).length, LESSON_SETUPS.length);
  assert.ok(!text.includes("sim"), "no simulator column when nothing was checked");
  assert.match(formatAvailabilityTable([availabilityRow(LESSON_SETUPS[0])]), /agrees/);
});

Deno.test("impossible configurations name the input", () => {
  assert.throws(
    () => availability({ protocol: "quorum", n: 3, r: 4, w: 1 }),
    (e) =>
      e instanceof ConfigError &&
      /^R: must be a whole number from 1 to N = 3, got 4/.test(e.message),
  );
  assert.throws(
    () => measureAvailability({ protocol: "quorum", n: 3, r: 1, w: 1 }, 4),
    (e) => e instanceof ConfigError && e.input === "down",
  );
});
