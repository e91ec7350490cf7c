/**
 * What the actor contract asks of a handler, checked the same way wherever
 * a handler runs: in the simulator, in {@linkcode TestContext} and on a real
 * process. A message and a timer are plain data, taken as copies when they
 * are handed over; a handler runs to completion (it returns no promise).
 * Each check throws a {@linkcode ContractError} whose message names the
 * node, the message or timer, the field and what is allowed.
 *
 * @module
 */

import type { NodeId } from "./node_id.ts";
import { notPlainData, NotPlainDataError, plainCopy } from "./plain_data.ts";
import { timerName } from "./timer_key.ts";

/**
 * A broken rule of the actor contract: its message says which, plainly, so
 * a report shows it without a stack trace.
 *
 * @example
 * ```ts
 * import { ContractError, sentMessage } from "./contract_checks.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => sentMessage("n1", "n2", { type: "x", seen: new Map() }), ContractError);
 * ```
 */
export class ContractError extends Error {
  /** Always "ContractError". */
  override name = "ContractError";
}

/**
 * The message `from` sends to `to`, as it travels: a copy, as over a wire
 * (see {@linkcode plainCopy}), or with `copy` false the message itself,
 * checked only. Throws a {@linkcode ContractError} naming the field that is
 * not plain data.
 *
 * @example
 * ```ts
 * import { sentMessage } from "./contract_checks.ts";
 * import assert from "node:assert/strict";
 * const log = [1];
 * const msg = sentMessage("n1", "n2", { type: "entries", log });
 * log.push(2);
 * assert.deepEqual(msg, { type: "entries", log: [1] });
 * assert.throws(
 *   () => sentMessage("n1", "n2", { type: "put", value: 10n }),
 *   /n1 sent a put message to n2 whose \.value is a bigint/,
 * );
 * ```
 */
export function sentMessage<M>(from: NodeId, to: NodeId, msg: M, copy = true): M {
  let problem: string | undefined;
  if (copy) {
    try {
      return plainCopy(msg);
    } catch (e) {
      if (!(e instanceof NotPlainDataError)) throw e;
      problem = e.problem;
    }
  } else {
    problem = notPlainData(msg);
    if (problem === undefined) return msg;
  }
  throw new ContractError(
    `${from} sent ${describeType(msg)} to ${to} whose ${problem}: ` +
      "messages must be plain data (JSON: no BigInt, Map, Set, class, function or cycle)",
  );
}

/**
 * The timer `owner` sets, as it will fire: a string as it is, an object as a
 * copy (so changing the object later changes no pending timer). Throws a
 * {@linkcode ContractError} when it is not plain data.
 *
 * @example
 * ```ts
 * import { setTimerValue } from "./contract_checks.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(setTimerValue("n1", { type: "retry", seq: 4 }), { type: "retry", seq: 4 });
 * assert.throws(() => setTimerValue("n1", { type: "retry", done: () => {} }), /timers must be plain data/);
 * ```
 */
export function setTimerValue<T>(owner: NodeId, timer: T): T {
  if (typeof timer === "string") return timer;
  try {
    return plainCopy(timer);
  } catch (e) {
    if (!(e instanceof NotPlainDataError)) throw e;
    throw new ContractError(
      `${owner} set a timer whose ${e.problem.replace(/^the message/, "value")}: ` +
        'timers must be plain data, like { type: "retry", seq: 4 }',
    );
  }
}

/**
 * Checks what a handler returned: nothing is fine, a promise is refused
 * (handlers run to completion; an `async` handler would let the world move
 * on under it). The promise's rejection is caught so it cannot reach the
 * process as an unhandled one.
 *
 * @example
 * ```ts
 * import { handlerReturned } from "./contract_checks.ts";
 * import assert from "node:assert/strict";
 * handlerReturned("n1", "onMessage", undefined);
 * assert.throws(
 *   () => handlerReturned("n1", "onMessage", Promise.resolve()),
 *   /onMessage of n1 returned a promise: handlers must run to completion/,
 * );
 * ```
 */
export function handlerReturned(node: NodeId, handler: string, value: unknown): void {
  if (typeof (value as Promise<unknown>)?.then !== "function") return;
  (value as Promise<unknown>).then(undefined, () => {});
  throw new ContractError(
    `${handler} of ${node} returned a promise: handlers must run to completion ` +
      "(no async, no await); do the work now and send or set a timer for what comes later",
  );
}

/**
 * A timer's name for an error message, even when it is not plain data.
 *
 * @example
 * ```ts
 * import { safeTimerName } from "./contract_checks.ts";
 * import assert from "node:assert/strict";
 * assert.equal(safeTimerName("election"), "election");
 * assert.equal(safeTimerName({ type: "retry", seq: 4 }), 'retry {"seq":4}');
 * ```
 */
export function safeTimerName(timer: unknown): string {
  try {
    return timerName(timer);
  } catch {
    return String(timer);
  }
}

/** "a Put message" or "a message": what a report calls the message. */
function describeType(msg: unknown): string {
  const type = (msg as { type?: unknown })?.type;
  return typeof type === "string" ? `a ${type} message` : "a message";
}
