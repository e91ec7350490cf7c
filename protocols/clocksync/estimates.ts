/**
 * What one request and reply say about another node's clock (lecture 3.2).
 *
 * **NTP** keeps four timestamps: the client sends at `t1` (its clock), the
 * server receives at `t2` and replies at `t3` (its clock), the client
 * receives at `t4`. The round trip spent on the network is
 *
 * ```text
 * δ = (t4 - t1) - (t3 - t2)          (the server's time holding it does not count)
 * θ = ((t2 - t1) + (t3 - t4)) / 2    (server clock minus client clock)
 * ```
 *
 * assuming the request and the reply took equally long. They need not, but
 * each took between 0 and δ, so the true offset is within δ/2 of θ (while
 * neither clock drifts or jumps during the exchange).
 *
 * **Cristian's algorithm** is the same with one server timestamp `T` taken
 * as it replies: the client sets its clock to `T + (t4 - t1) / 2`, off by at
 * most `(t4 - t1) / 2`, which includes however long the server held the
 * request: NTP's `t2` and `t3` take that out.
 *
 * @module
 */

/**
 * The four timestamps of one NTP exchange.
 *
 * @example
 * ```ts
 * import type { NtpTimestamps } from "./estimates.ts";
 * import assert from "node:assert/strict";
 * const ts: NtpTimestamps = { t1: 100, t2: 250, t3: 252, t4: 110 };
 * assert.equal(ts.t4 - ts.t1, 10);
 * ```
 */
export interface NtpTimestamps {
  /** Client clock when the request left. */
  t1: number;
  /** Server clock when the request arrived. */
  t2: number;
  /** Server clock when the reply left. */
  t3: number;
  /** Client clock when the reply arrived. */
  t4: number;
}

/**
 * An estimate of another clock: `offset` (its reading minus ours) and the
 * round-trip `delay` it was measured over; the truth is within `delay / 2`
 * of `offset`.
 *
 * @example
 * ```ts
 * import type { OffsetEstimate } from "./estimates.ts";
 * import assert from "node:assert/strict";
 * const e: OffsetEstimate = { offset: 146, delay: 8 };
 * assert.equal(e.delay / 2, 4);
 * ```
 */
export interface OffsetEstimate {
  /** The other clock minus ours, ms. */
  offset: number;
  /** Round-trip time on the network, ms: the estimate's uncertainty is half of it. */
  delay: number;
}

/**
 * NTP's offset and delay from one exchange's four timestamps.
 *
 * @example
 * ```ts
 * import { ntpEstimate } from "./estimates.ts";
 * import assert from "node:assert/strict";
 * // The server's clock is 145 ms ahead; the request took 5 ms, the reply 3 ms,
 * // and the server held the request for 2 ms.
 * const e = ntpEstimate({ t1: 100, t2: 250, t3: 252, t4: 110 });
 * assert.deepEqual(e, { offset: 146, delay: 8 });
 * assert.ok(Math.abs(e.offset - 145) <= e.delay / 2);
 * ```
 */
export function ntpEstimate(ts: NtpTimestamps): OffsetEstimate {
  for (const k of ["t1", "t2", "t3", "t4"] as const) {
    if (!Number.isFinite(ts[k])) {
      throw new RangeError(`ntpEstimate: ${k} must be finite, got ${ts[k]}`);
    }
  }
  return {
    offset: ((ts.t2 - ts.t1) + (ts.t3 - ts.t4)) / 2,
    delay: (ts.t4 - ts.t1) - (ts.t3 - ts.t2),
  };
}

/**
 * Cristian's estimate: the server's reading `serverTime`, taken as it
 * replied, plus half the round trip measured on our clock from `t1` to
 * `t4`. As an offset: `serverTime + (t4 - t1) / 2 - t4`.
 *
 * @example
 * ```ts
 * import { cristianEstimate } from "./estimates.ts";
 * import assert from "node:assert/strict";
 * // The same exchange as NTP's example: the 2 ms hold now counts as delay.
 * const e = cristianEstimate(100, 252, 110);
 * assert.deepEqual(e, { offset: 147, delay: 10 });
 * assert.ok(Math.abs(e.offset - 145) <= e.delay / 2);
 * ```
 */
export function cristianEstimate(t1: number, serverTime: number, t4: number): OffsetEstimate {
  return ntpEstimate({ t1, t2: serverTime, t3: serverTime, t4 });
}
