/**
 * The mutation suite's table: one row per mutant, read from what `sim
 * explore --json` printed, formatted for people, and parsed back (so a
 * saved table can be compared with a new one).
 *
 * @module
 */

/** What exploring one mutant found. */
export interface MutantRow {
  mutant: string;
  scenario: string;
  /** Whether explore found a failure; `error` when the run itself broke. */
  found: "yes" | "no" | "error";
  /** Runs up to and including the first failing one; null when none failed. */
  runs: number | null;
  /** The check the first failure broke. */
  check: string | null;
  /** Events of the shrunk repro, and how many of them were deliveries. */
  events: number | null;
  delivered: number | null;
  /** Wall time of the whole explore (search and shrink), seconds. */
  seconds: number;
}

/** The parts of `explore --json`'s report a row is made from. */
interface ExploreJson {
  runs: number;
  found: boolean;
  firstFailure: { run: number; check: string } | null;
  shrunk: { events: number; delivered: number } | null;
}

/**
 * The row for `mutant` from the last line of what `explore --json`
 * printed; a row marked `error` when there is no report in it.
 */
export function rowOf(
  mutant: string,
  scenario: string,
  stdout: string,
  seconds: number,
): MutantRow {
  const base: MutantRow = {
    mutant,
    scenario,
    found: "error",
    runs: null,
    check: null,
    events: null,
    delivered: null,
    seconds: Math.round(seconds * 10) / 10,
  };
  const line = stdout.trim().split("\n").filter((l) => l.startsWith("{")).at(-1);
  if (line === undefined) return base;
  let r: ExploreJson;
  try {
    r = JSON.parse(line) as ExploreJson;
  } catch {
    return base;
  }
  if (typeof r.found !== "boolean" || typeof r.runs !== "number") return base;
  const f = r.firstFailure;
  return {
    ...base,
    found: r.found ? "yes" : "no",
    runs: f === null ? null : f.run + 1,
    check: f?.check ?? null,
    events: r.shrunk?.events ?? null,
    delivered: r.shrunk?.delivered ?? null,
  };
}

const COLUMNS = [
  "mutant",
  "scenario",
  "found",
  "runs",
  "events",
  "delivered",
  "check",
  "seconds",
] as const;

function cell(row: MutantRow, column: typeof COLUMNS[number]): string {
  const v = row[column];
  return v === null ? "-" : String(v);
}

/** The median of some numbers (the mean of the middle two for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** A one-line summary: how many were found, and the median shrunk repro. */
export function summaryLine(rows: readonly MutantRow[], limit: number): string {
  const found = rows.filter((r) => r.found === "yes");
  const within = found.filter((r) => r.runs !== null && r.runs <= limit).length;
  const events = median(found.flatMap((r) => r.events === null ? [] : [r.events]));
  const delivered = median(found.flatMap((r) => r.delivered === null ? [] : [r.delivered]));
  const small = found.filter((r) => r.events !== null && r.events <= 25).length;
  const errors = rows.filter((r) => r.found === "error").length;
  return `found ${within} of ${rows.length} within ${limit} runs; median shrunk repro ` +
    `${events ?? "-"} events (${delivered ?? "-"} delivered); ${small} at 25 events or fewer` +
    (errors > 0 ? `; ${errors} errors` : "");
}

/** The rows as a table of aligned columns, a header first. */
export function formatTable(rows: readonly MutantRow[]): string {
  const cells = [
    [...COLUMNS],
    ...rows.map((r) => COLUMNS.map((c) => cell(r, c))),
  ];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  return cells.map((line) => line.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd())
    .join("\n");
}

/** Rows from a table {@linkcode formatTable} printed (other lines are skipped). */
export function parseTable(text: string): MutantRow[] {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const header = lines.findIndex((l) => l.split(/\s+/).join(" ") === COLUMNS.join(" "));
  if (header === -1) throw new Error("parseTable: no header line");
  const rows: MutantRow[] = [];
  for (const line of lines.slice(header + 1)) {
    const cells = line.split(/\s+/);
    if (cells.length !== COLUMNS.length) break;
    const num = (s: string) => s === "-" ? null : Number(s);
    const [mutant, scenario, found, runs, events, delivered, check, seconds] = cells;
    if (found !== "yes" && found !== "no" && found !== "error") break;
    rows.push({
      mutant,
      scenario,
      found,
      runs: num(runs),
      check: check === "-" ? null : check,
      events: num(events),
      delivered: num(delivered),
      seconds: Number(seconds),
    });
  }
  return rows;
}
