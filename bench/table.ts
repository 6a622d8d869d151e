// The one table `npm run bench` prints, and bench/results.json beside it.
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { type Check, PLAN, QUICK, ROOT, TARGETS } from "./plan.ts";

export interface Row {
  section: string;
  figure: string;
  value: string;
  reference: string;
  ratio: string;
  latency: string;
  target: string;
  result: string;
}

/** A row with only what is given; the other columns empty. */
export function row(section: string, figure: string, cells: Partial<Omit<Row, "section" | "figure">> = {}): Row {
  return { section, figure, value: "", reference: "", ratio: "", latency: "", target: "", result: "", ...cells };
}

/** The target and pass/FAIL columns of a check. */
export const judged = (check: Check) => ({
  target: check?.target ?? "",
  result: check ? (check.pass ? "pass" : "FAIL") : "",
});

export const fmtRps = (n: number) => `${n.toFixed(0)} req/s`;
export const fmtUs = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(0)} µs`);
export const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`);
export const fmtKiB = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
export const fmtRatio = (ratio: number) => `${ratio.toFixed(2)}×`;
export const fmtCount = (n: number) => n.toLocaleString("en-US");

export function printTable(rows: Row[]): string {
  const head: Row = {
    section: "",
    figure: "figure",
    value: "measured",
    reference: "reference",
    ratio: "ratio",
    latency: "latency (ms)",
    target: "target",
    result: "",
  };
  const cols = Object.keys(head).filter((k) => k !== "section") as (keyof Row)[];
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(...[head, ...rows].map((r) => [...r[c]].length))]));
  const line = (r: Row) =>
    cols
      .map((c) => r[c] + " ".repeat((width[c] as number) - [...r[c]].length))
      .join("  ")
      .trimEnd();
  const out: string[] = [line(head)];
  let section = "";
  for (const r of rows) {
    if (r.section !== section) {
      section = r.section;
      out.push("", `== ${section}`);
    }
    out.push(line(r));
  }
  return out.join("\n");
}

/** Prints the table and a summary line to stdout; returns how many targets were missed. */
export function reportTable(rows: Row[], startedAt: number): number {
  process.stdout.write(`\n${printTable(rows)}\n\n`);
  const failed = rows.filter((r) => r.result === "FAIL").length;
  const checked = rows.filter((r) => r.result !== "").length;
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(0);
  process.stdout.write(`${checked - failed} of ${checked} targets met; ${seconds} s\n`);
  return failed;
}

/** bench/results.json: the table and every raw figure behind it. */
export function writeResults(rows: Row[], raw: Record<string, unknown>): void {
  const results = {
    date: new Date().toISOString(),
    mode: QUICK ? "quick" : "full",
    plan: PLAN,
    machine: { cpus: cpus().length, node: process.version, load: loadavg() },
    targets: TARGETS,
    table: rows,
    ...raw,
  };
  writeFileSync(join(ROOT, "bench", "results.json"), `${JSON.stringify(results, null, 2)}\n`);
}
