/**
 * A mutant: one classic mistake, planted in a copy of the repository by
 * search and replace. Each edit names a file, a piece of text that must
 * occur in it exactly once, and what to put in its place, so a mutant keeps
 * applying while unrelated code around it changes, and says so clearly
 * when the code it mutates has moved.
 *
 * @module
 */

/** One search-and-replace in one file. */
export interface Edit {
  /** Path from the repository root. */
  file: string;
  /** Text that occurs in the file exactly once. */
  find: string;
  /** What replaces it. */
  replace: string;
}

/** A planted mistake and the scenario a user would explore first for its protocol. */
export interface Mutant {
  /** Short, unique, kebab-case: `lamport-receive-no-max`. */
  name: string;
  /** The protocol it belongs to (for grouping the table). */
  protocol: string;
  /** What the mistake is, in the words of a code review. */
  mistake: string;
  /** The scenario `sim explore` runs on. */
  scenario: string;
  /** The edits, applied in order. */
  edits: Edit[];
}

/** Why an edit does not apply. */
export class MutantError extends Error {
  override name = "MutantError";
}

/** How many times `find` occurs in `text` (non-overlapping). */
export function occurrences(text: string, find: string): number {
  if (find === "") return 0;
  let n = 0;
  for (let at = text.indexOf(find); at !== -1; at = text.indexOf(find, at + find.length)) n++;
  return n;
}

/**
 * `text` with one edit applied. Throws a {@linkcode MutantError} when the
 * edit's text is missing, occurs more than once, or changes nothing.
 */
export function applyEdit(text: string, edit: Edit, mutant = "mutant"): string {
  const n = occurrences(text, edit.find);
  if (n !== 1) {
    throw new MutantError(
      `${mutant}: ${edit.file} must hold ${JSON.stringify(edit.find)} exactly once, found ${n}`,
    );
  }
  if (edit.find === edit.replace) {
    throw new MutantError(`${mutant}: an edit of ${edit.file} that changes nothing`);
  }
  const at = text.indexOf(edit.find);
  return text.slice(0, at) + edit.replace + text.slice(at + edit.find.length);
}

/**
 * The mutated contents of every file a mutant touches, read with `read`
 * (a path from the repository root to its text).
 */
export function mutatedFiles(
  mutant: Mutant,
  read: (file: string) => string,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const edit of mutant.edits) {
    const before = out.get(edit.file) ?? read(edit.file);
    out.set(edit.file, applyEdit(before, edit, mutant.name));
  }
  return out;
}
