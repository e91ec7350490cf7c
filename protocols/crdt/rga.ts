/**
 * RGA: the replicated growable array, a sequence CRDT for collaborative text
 * (Roh, Jeon, Kim, Lee, "Replicated abstract data types: Building blocks for
 * collaborative applications", JPDC 2011; Kleppmann's lecture 8.1).
 *
 * Every character gets a unique id `[counter, replica]`, where the counter is a
 * Lamport clock: one more than any counter the inserting replica has seen. An
 * insert names the character it goes after (or `null` for the start). The
 * document is then a tree, each character under the one it was inserted after,
 * siblings ordered by descending id; reading it depth first gives the text. A
 * fresh id is larger than every id its inserter knew, so the character lands
 * right after the one it was typed after; concurrent inserts at one place are
 * ordered by id, the same on every replica. Deletes leave a tombstone, because
 * a concurrent insert may still name the deleted character as its anchor.
 *
 * Operation-based use: `prepareInsert`/`prepareDelete` at the source, `apply`
 * downstream, with causal delivery (an insert after its anchor, a delete after
 * its insert). State-based use: `merge` is the union of characters and of
 * tombstones.
 *
 * @module
 */

import { checkNodeId, type NodeId } from "../../actors/mod.ts";
import { compareStrings, CrdtError, type StateCrdt } from "./crdt.ts";
import { asArray, asInteger, asNodeId, asRecord, malformed } from "./_internal.ts";

/**
 * A character's id: `[counter, replica]`, the counter a Lamport clock.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rga, type RgaId } from "./rga.ts";
 * const typed = Rga.empty().insert("alice", 0, "Hi");
 * const second: RgaId = typed.idAt(1);
 * assert.deepEqual(second, [2, "alice"]); // alice's second insert
 * ```
 */
export type RgaId = readonly [counter: number, replica: NodeId];

/**
 * An insert operation: put `char`, with id `id`, right after the character
 * `after` (or at the start for `null`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rga, type RgaInsert } from "./rga.ts";
 * const op: RgaInsert = Rga.empty().prepareInsert("alice", 0, "H");
 * assert.deepEqual(op, { type: "insert", id: [1, "alice"], after: null, char: "H" });
 * assert.equal(Rga.empty().apply(op).text(), "H");
 * ```
 */
export type RgaInsert = {
  readonly type: "insert";
  readonly id: RgaId;
  readonly after: RgaId | null;
  readonly char: string;
};

/**
 * A delete operation: hide the character `id`, keeping it as a tombstone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rga, type RgaDelete } from "./rga.ts";
 * const hi = Rga.empty().insert("alice", 0, "Hi");
 * const op: RgaDelete = hi.prepareDelete(0);
 * assert.deepEqual(op, { type: "delete", id: [1, "alice"] });
 * assert.equal(hi.apply(op).text(), "i");
 * ```
 */
export type RgaDelete = { readonly type: "delete"; readonly id: RgaId };

/**
 * An RGA operation, as prepared at the source and applied downstream.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rga, type RgaOp } from "./rga.ts";
 * const ops: RgaOp[] = [
 *   { type: "insert", id: [1, "alice"], after: null, char: "H" },
 *   { type: "insert", id: [2, "alice"], after: [1, "alice"], char: "i" },
 *   { type: "delete", id: [1, "alice"] },
 * ];
 * assert.equal(ops.reduce((doc, op) => doc.apply(op), Rga.empty()).text(), "i");
 * ```
 */
export type RgaOp = RgaInsert | RgaDelete;

/**
 * The JSON form of an {@linkcode Rga}: every character ever inserted as
 * `[id, after, char]`, sorted by id (so anchors come first), and the ids of the
 * deleted ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rga, type RgaJSON } from "./rga.ts";
 * const wire: RgaJSON = {
 *   elements: [[[1, "a"], null, "h"], [[2, "a"], [1, "a"], "i"]],
 *   deleted: [[1, "a"]],
 * };
 * const doc = Rga.empty().insert("a", 0, "hi").delete(0);
 * assert.deepEqual(doc.toJSON(), wire); // the deleted "h" stays, as a tombstone
 * assert.equal(Rga.fromJSON(wire).text(), "i");
 * ```
 */
export type RgaJSON = {
  readonly elements: readonly (readonly [id: RgaId, after: RgaId | null, char: string])[];
  readonly deleted: readonly RgaId[];
};

type Node = {
  readonly id: RgaId;
  readonly key: string;
  readonly after: string | null;
  readonly afterId: RgaId | null;
  readonly char: string;
};

/**
 * A replicated text (an RGA of characters; a character is one code point).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rga } from "./rga.ts";
 *
 * const base = Rga.empty().insert("alice", 0, "ac");
 * const alice = base.insert("alice", 1, "b");
 * const bob = base.delete(1).insert("bob", 1, "!");
 * assert.equal(alice.text(), "abc");
 * assert.equal(bob.text(), "a!");
 * // Both typed after "a" at once: equal counters, so the larger replica id goes first.
 * assert.equal(alice.merge(bob).text(), "a!b");
 * ```
 */
export class Rga implements StateCrdt<Rga, string, RgaJSON> {
  readonly #nodes: ReadonlyMap<string, Node>;
  readonly #deleted: ReadonlySet<string>;
  readonly #clock: number;
  // Document order, with tombstones. Computed on demand and carried across
  // local edits, where it is cheap to update; values stay immutable.
  #order: readonly Node[] | undefined;
  #visible: readonly Node[] | undefined;

  private constructor(
    nodes: ReadonlyMap<string, Node>,
    deleted: ReadonlySet<string>,
    clock: number,
    order?: readonly Node[],
  ) {
    this.#nodes = nodes;
    this.#deleted = deleted;
    this.#clock = clock;
    this.#order = order;
  }

  /** The empty text, the bottom of the lattice. */
  static empty(): Rga {
    return new Rga(new Map(), new Set(), 0, []);
  }

  /**
   * Rebuilds a text from its JSON form, or throws a `TypeError` (also for a
   * character whose anchor is missing, or a tombstone of an unknown id).
   */
  static fromJSON(json: unknown): Rga {
    const record = asRecord(json, "Rga");
    const nodes = new Map<string, Node>();
    let clock = 0;
    asArray(record.elements, "Rga.elements").forEach((item, i) => {
      const where = `Rga.elements[${i}]`;
      const triple = asArray(item, where);
      if (triple.length !== 3) malformed(where, "[id, after, char]", item);
      const id = parseId(triple[0], `${where}[0]`);
      const afterId = triple[1] === null ? null : parseId(triple[1], `${where}[1]`);
      const char = typeof triple[2] === "string" && isChar(triple[2])
        ? triple[2]
        : malformed(`${where}[2]`, "one character", triple[2]);
      const node = makeNode(id, afterId, char);
      const old = nodes.get(node.key);
      if (old !== undefined && !sameNode(old, node)) {
        malformed(where, `one element per id ${node.key}`, item);
      }
      nodes.set(node.key, node);
      clock = Math.max(clock, id[0]);
    });
    for (const node of nodes.values()) {
      if (node.after !== null && !nodes.has(node.after)) {
        malformed(
          "Rga.elements",
          `an element with id ${node.after} (the anchor of ${node.key})`,
          null,
        );
      }
    }
    const deleted = new Set<string>();
    asArray(record.deleted, "Rga.deleted").forEach((item, i) => {
      const key = idKey(parseId(item, `Rga.deleted[${i}]`));
      if (!nodes.has(key)) malformed(`Rga.deleted[${i}]`, "the id of an element", item);
      deleted.add(key);
    });
    return new Rga(nodes, deleted, clock);
  }

  /** The number of visible characters. */
  get length(): number {
    return this.#visibleNodes().length;
  }

  /** The text. */
  text(): string {
    return this.#visibleNodes().map((n) => n.char).join("");
  }

  /** The id of the visible character at `index`, or a `RangeError`. */
  idAt(index: number): RgaId {
    checkIndex("Rga.idAt", index, this.length - 1);
    return this.#visibleNodes()[index].id;
  }

  /**
   * The text after `replica` types `text` so that it starts at visible
   * position `index` (0 to `length`), one character per code point.
   */
  insert(replica: NodeId, index: number, text: string): Rga {
    checkNodeId(replica, "Rga.insert: replica id");
    checkIndex("Rga.insert", index, this.length);
    let after = index === 0 ? null : this.#visibleNodes()[index - 1].id;
    let counter = this.#clock;
    const chain: Node[] = [];
    for (const char of text) {
      const id: RgaId = [++counter, replica];
      chain.push(makeNode(id, after, char));
      after = id;
    }
    return this.#withFreshChain(chain);
  }

  /** The text after deleting `count` visible characters from `index` on. */
  delete(index: number, count = 1): Rga {
    if (
      !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 0 || count < 0 ||
      index + count > this.length
    ) {
      throw new RangeError(
        `Rga.delete: cannot delete ${count} characters at index ${index} ` +
          `from a text of length ${this.length}`,
      );
    }
    if (count === 0) return this;
    const deleted = new Set(this.#deleted);
    for (const n of this.#visibleNodes().slice(index, index + count)) deleted.add(n.key);
    return new Rga(this.#nodes, deleted, this.#clock, this.#order);
  }

  /** Prepares, at `replica`, the insert of one `char` at visible position `index`. */
  prepareInsert(replica: NodeId, index: number, char: string): RgaInsert {
    checkIndex("Rga.insert", index, this.length);
    return this.prepareInsertAfter(replica, index === 0 ? null : this.idAt(index - 1), char);
  }

  /**
   * Prepares, at `replica`, the insert of one `char` right after the
   * character `after` (which may be deleted), or at the start for `null`.
   */
  prepareInsertAfter(replica: NodeId, after: RgaId | null, char: string): RgaInsert {
    checkNodeId(replica, "Rga.insert: replica id");
    if (!isChar(char)) {
      throw new RangeError(`Rga.insert: ${JSON.stringify(char)} is not one character (code point)`);
    }
    if (after !== null && !this.#nodes.has(idKey(after))) {
      throw new CrdtError(`Rga.insert: no character with id ${idKey(after)} to insert after`);
    }
    return { type: "insert", id: [this.#clock + 1, replica], after, char };
  }

  /** Prepares the delete of the visible character at `index`. */
  prepareDelete(index: number): RgaDelete {
    return { type: "delete", id: this.idAt(index) };
  }

  /**
   * The effect of an operation downstream. Duplicates are ignored; an op whose
   * anchor or target is unknown here throws a {@linkcode CrdtError}, because it
   * arrived before an op it depends on (deliver in causal order).
   */
  apply(op: RgaOp): Rga {
    if (op.type === "delete") {
      const key = idKey(parseId(op.id, "RgaOp(delete).id"));
      if (!this.#nodes.has(key)) {
        throw new CrdtError(
          `Rga.apply: delete of ${key}, which this replica has not seen inserted`,
        );
      }
      if (this.#deleted.has(key)) return this;
      return new Rga(this.#nodes, new Set(this.#deleted).add(key), this.#clock, this.#order);
    }
    const id = parseId(op.id, "RgaOp(insert).id");
    const afterId = op.after === null ? null : parseId(op.after, "RgaOp(insert).after");
    if (!isChar(op.char)) {
      throw new RangeError(
        `Rga.apply: ${JSON.stringify(op.char)} is not one character (code point)`,
      );
    }
    const node = makeNode(id, afterId, op.char);
    const old = this.#nodes.get(node.key);
    if (old !== undefined) {
      if (sameNode(old, node)) return this;
      throw new CrdtError(`Rga.apply: id ${node.key} is already used by another character`);
    }
    if (node.after !== null && !this.#nodes.has(node.after)) {
      throw new CrdtError(
        `Rga.apply: insert ${node.key} goes after ${node.after}, which this replica has not seen`,
      );
    }
    if (id[0] > this.#clock) return this.#withFreshChain([node]);
    return new Rga(new Map(this.#nodes).set(node.key, node), this.#deleted, this.#clock);
  }

  // Adds characters each anchored on the one before (the first on a known
  // character), all with ids above every id here. Such ids sort first among
  // their siblings, so the chain sits right after its anchor and a cached
  // document order stays valid with the chain spliced in.
  #withFreshChain(chain: readonly Node[]): Rga {
    if (chain.length === 0) return this;
    const nodes = new Map(this.#nodes);
    for (const node of chain) nodes.set(node.key, node);
    const clock = chain[chain.length - 1].id[0];
    const old = this.#order;
    if (old === undefined) return new Rga(nodes, this.#deleted, clock);
    const anchor = chain[0].after;
    const at = anchor === null ? 0 : old.findIndex((n) => n.key === anchor) + 1;
    return new Rga(nodes, this.#deleted, clock, [...old.slice(0, at), ...chain, ...old.slice(at)]);
  }

  /** The union of the characters and of the tombstones. */
  merge(other: Rga): Rga {
    if (other.leq(this)) return this;
    if (this.leq(other)) return other;
    const nodes = new Map(this.#nodes);
    for (const [k, node] of other.#nodes) {
      const old = nodes.get(k);
      if (old !== undefined && !sameNode(old, node)) {
        throw new CrdtError(`Rga.merge: id ${k} names different characters on the two replicas`);
      }
      nodes.set(k, node);
    }
    const deleted = new Set(this.#deleted);
    for (const k of other.#deleted) deleted.add(k);
    return new Rga(nodes, deleted, Math.max(this.#clock, other.#clock));
  }

  /** The text. */
  value(): string {
    return this.text();
  }

  /** Every character and tombstone here is also in `other`. */
  leq(other: Rga): boolean {
    if (this.#nodes.size > other.#nodes.size || this.#deleted.size > other.#deleted.size) {
      return false;
    }
    for (const k of this.#nodes.keys()) if (!other.#nodes.has(k)) return false;
    for (const k of this.#deleted) if (!other.#deleted.has(k)) return false;
    return true;
  }

  /** Same characters and tombstones. */
  equals(other: Rga): boolean {
    return this.#nodes.size === other.#nodes.size && this.#deleted.size === other.#deleted.size &&
      this.leq(other);
  }

  /** The compact JSON form `{ elements, deleted }`. */
  toJSON(): RgaJSON {
    const nodes = [...this.#nodes.values()].sort((a, b) => compareIds(a.id, b.id));
    return {
      elements: nodes.map((n) => [n.id, n.afterId, n.char] as const),
      deleted: nodes.filter((n) => this.#deleted.has(n.key)).map((n) => n.id),
    };
  }

  #visibleNodes(): readonly Node[] {
    return this.#visible ??= this.#documentOrder().filter((n) => !this.#deleted.has(n.key));
  }

  #documentOrder(): readonly Node[] {
    if (this.#order !== undefined) return this.#order;
    const children = new Map<string | null, Node[]>();
    for (const node of this.#nodes.values()) {
      const siblings = children.get(node.after);
      if (siblings === undefined) children.set(node.after, [node]);
      else siblings.push(node);
    }
    // Depth first, iteratively: a long run of typing is a chain as deep as it is long.
    // Siblings go on the stack in ascending id order, so the largest pops first.
    for (const siblings of children.values()) siblings.sort((a, b) => compareIds(a.id, b.id));
    const order: Node[] = [];
    const stack = [...children.get(null) ?? []];
    while (stack.length > 0) {
      const node = stack.pop() as Node;
      order.push(node);
      stack.push(...children.get(node.key) ?? []);
    }
    return this.#order = order;
  }
}

/**
 * Orders ids by counter, then replica id. Siblings in the document go in
 * descending order of this.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareIds } from "./rga.ts";
 * assert.equal(compareIds([2, "a"], [2, "b"]), -1);
 * ```
 */
export function compareIds(a: RgaId, b: RgaId): number {
  return a[0] - b[0] || compareStrings(a[1], b[1]);
}

function idKey([counter, replica]: RgaId): string {
  return `${counter}@${replica}`;
}

function makeNode(id: RgaId, afterId: RgaId | null, char: string): Node {
  return {
    id: [id[0], id[1]],
    key: idKey(id),
    after: afterId === null ? null : idKey(afterId),
    afterId: afterId === null ? null : [afterId[0], afterId[1]],
    char,
  };
}

function sameNode(a: Node, b: Node): boolean {
  return a.key === b.key && a.after === b.after && a.char === b.char;
}

function isChar(s: string): boolean {
  if (typeof s !== "string" || s.length === 0 || s.length > 2) return false;
  return s.length === 1 || (s.codePointAt(0) as number) > 0xffff;
}

function parseId(json: unknown, where: string): RgaId {
  const pair = asArray(json, where);
  if (pair.length !== 2) malformed(where, "an id [counter, replica]", json);
  return [asInteger(pair[0], `${where}[0]`, 1), asNodeId(pair[1], `${where}[1]`)];
}

function checkIndex(what: string, index: number, max: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index > max) {
    throw new RangeError(
      max < 0
        ? `${what}: index ${index} is out of range: the text is empty`
        : `${what}: index ${index} is out of range 0..${max}`,
    );
  }
}
