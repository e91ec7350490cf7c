/**
 * Helpers for the tests that run actors on the real clock and real sockets.
 * They wait for conditions, never for durations: a busy machine only makes
 * them slower, and the generous limits only catch a hang.
 *
 * @module
 */

/**
 * Resolves once `condition()` holds; rejects naming `what` after `limitMs`
 * (a hang, not a slow machine: the limits are generous).
 *
 * @example
 * ```ts
 * import { eventually } from "./_runtime.ts";
 * let n = 0;
 * setTimeout(() => n = 1, 5);
 * await eventually("n is set", () => n === 1);
 * ```
 */
export async function eventually(
  what: string,
  condition: () => boolean,
  limitMs = 30_000,
): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
