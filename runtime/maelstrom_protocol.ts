/**
 * Maelstrom's wire protocol, as its documentation (`doc/protocol.md` of
 * jepsen-io/maelstrom) defines it: every message is one JSON object on one
 * line, `{"src": "c1", "dest": "n1", "body": {...}}`. A body has a `type`,
 * and, for the RPCs Maelstrom's clients make, a `msg_id` that the reply
 * names in its `in_reply_to`. Errors are bodies of type `error` with a
 * numeric `code`.
 *
 * Messages between servers may have any body; this project's actors send
 * plain-data objects with a `type`, which fit.
 *
 * @module
 */

import type { NodeId } from "../actors/node_id.ts";

/**
 * The body of a Maelstrom message. Workload messages add their own fields.
 *
 * @example
 * ```ts
 * import type { Body } from "./maelstrom_protocol.ts";
 * import assert from "node:assert/strict";
 * const read: Body = { type: "read", msg_id: 123, key: 3 };
 * const ok: Body = { type: "read_ok", in_reply_to: 123, value: 4 };
 * assert.equal(ok.in_reply_to, read.msg_id);
 * ```
 */
export interface Body {
  /** What kind of message it is: `echo`, `read_ok`, `error`, ... */
  type: string;
  /** Unique among the messages its sender sent. */
  msg_id?: number;
  /** The `msg_id` of the request this replies to. */
  in_reply_to?: number;
  /** The message's own fields. */
  [field: string]: unknown;
}

/**
 * One message as it travels on standard input and output.
 *
 * @example
 * ```ts
 * import type { Envelope } from "./maelstrom_protocol.ts";
 * import assert from "node:assert/strict";
 * const m: Envelope = { src: "c1", dest: "n1", body: { type: "echo", msg_id: 1, echo: "hi" } };
 * assert.equal(m.body.type, "echo");
 * ```
 */
export interface Envelope {
  /** The sender's id. */
  src: NodeId;
  /** The receiver's id. */
  dest: NodeId;
  /** The message itself. */
  body: Body;
}

/**
 * The first message every node gets: its id and every node's id.
 *
 * @example
 * ```ts
 * import type { InitBody } from "./maelstrom_protocol.ts";
 * import assert from "node:assert/strict";
 * const init: InitBody = { type: "init", msg_id: 1, node_id: "n3", node_ids: ["n1", "n2", "n3"] };
 * assert.equal(init.node_ids.length, 3);
 * ```
 */
export interface InitBody extends Body {
  /** Always `init`. */
  type: "init";
  /** The id `init_ok` answers. */
  msg_id: number;
  /** The id of the node receiving it. */
  node_id: NodeId;
  /** Every node's id, the receiver's included, in the same order for all. */
  node_ids: NodeId[];
}

/**
 * Maelstrom's error codes (codes below 1000 are Maelstrom's own).
 *
 * @example
 * ```ts
 * import { ErrorCode } from "./maelstrom_protocol.ts";
 * import assert from "node:assert/strict";
 * assert.equal(ErrorCode.preconditionFailed, 22);
 * ```
 */
export const ErrorCode = {
  /** The operation did not complete in time; it may or may not have happened. */
  timeout: 0,
  /** The request went to a node that does not exist. */
  nodeNotFound: 1,
  /** The node does not support this operation. */
  notSupported: 10,
  /** The operation definitely cannot be done now (no quorum, not initialised, ...). */
  temporarilyUnavailable: 11,
  /** The request was malformed. */
  malformedRequest: 12,
  /** The node crashed handling it; it may or may not have happened. */
  crash: 13,
  /** The operation was aborted and did not happen. */
  abort: 14,
  /** The key does not exist. */
  keyDoesNotExist: 20,
  /** The key already exists. */
  keyAlreadyExists: 21,
  /** A precondition (a compare-and-set's `from`) did not hold. */
  preconditionFailed: 22,
  /** A transaction conflicted with another and was aborted. */
  txnConflict: 30,
} as const;

/**
 * Whether an error code means the operation certainly did not happen
 * (Maelstrom's "definite" errors): a client records those as `fail`, the
 * others (timeout, crash, codes it does not know) as `info`.
 *
 * @example
 * ```ts
 * import { ErrorCode, isDefinite } from "./maelstrom_protocol.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isDefinite(ErrorCode.keyDoesNotExist), true);
 * assert.equal(isDefinite(ErrorCode.timeout), false);
 * assert.equal(isDefinite(ErrorCode.crash), false);
 * ```
 */
export function isDefinite(code: number): boolean {
  return DEFINITE.has(code);
}

/** Codes of Maelstrom's definite errors: all but timeout (0) and crash (13). */
const DEFINITE = new Set<number>([1, 10, 11, 12, 14, 20, 21, 22, 30]);

/**
 * An error reply to `request`.
 *
 * @example
 * ```ts
 * import { errorBody, ErrorCode } from "./maelstrom_protocol.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(errorBody({ type: "read", msg_id: 4 }, ErrorCode.keyDoesNotExist, "no x"), {
 *   type: "error", in_reply_to: 4, code: 20, text: "no x",
 * });
 * ```
 */
export function errorBody(request: Body, code: number, text: string): Body {
  return { type: "error", in_reply_to: request.msg_id, code, text };
}

/**
 * Reads one line of standard input as an envelope; throws a `TypeError`
 * saying what is wrong with it.
 *
 * @example
 * ```ts
 * import { parseEnvelope } from "./maelstrom_protocol.ts";
 * import assert from "node:assert/strict";
 * const m = parseEnvelope('{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":1,"echo":"x"}}');
 * assert.equal(m.body.echo, "x");
 * assert.throws(() => parseEnvelope('{"src":"c1"}'), /needs src, dest and a body with a type/);
 * ```
 */
export function parseEnvelope(line: string): Envelope {
  const m = JSON.parse(line) as Partial<Envelope>;
  if (
    typeof m !== "object" || m === null || typeof m.src !== "string" ||
    typeof m.dest !== "string" || typeof m.body !== "object" || m.body === null ||
    typeof m.body.type !== "string"
  ) {
    throw new TypeError(`a Maelstrom message needs src, dest and a body with a type: ${line}`);
  }
  return m as Envelope;
}
