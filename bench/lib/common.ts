import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** dist/ (this file compiles to dist/bench/lib/common.js). */
export const DIST = resolve(__dirname, '..', '..');
export const PARLEY_MAIN = join(DIST, 'apps', 'api', 'main.js');
export const BASELINE_MAIN = join(DIST, 'bench', 'baseline-server.js');

// ---------------------------------------------------------------- settings

export function envInt(name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

/** Length of every timed load phase, seconds (BENCH_SECONDS, default 10, at most 120). */
export function benchSeconds(): number {
  return envInt('BENCH_SECONDS', 10, 1, 120);
}

/** The stores the production-mode hook passes through, when set. */
export function productionStores(): { eventStoreUrl?: string; readStoreUrl?: string } | null {
  const eventStoreUrl = process.env['EVENT_STORE_URL'] || undefined;
  const readStoreUrl = process.env['READ_STORE_URL'] || undefined;
  if (!eventStoreUrl && !readStoreUrl) return null;
  return { ...(eventStoreUrl ? { eventStoreUrl } : {}), ...(readStoreUrl ? { readStoreUrl } : {}) };
}

/** A copy of this process's environment without the store URLs (for benches that always use temp SQLite). */
export function envWithoutStores(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['EVENT_STORE_URL'];
  delete env['READ_STORE_URL'];
  delete env['PROJECTOR'];
  return env;
}

// ---------------------------------------------------------------- cleanup

const tempDirs = new Set<string>();
const children = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort if a bench throws or the run is interrupted: nothing is left behind.
  process.on('exit', () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, cleaning up\n`);
      process.exit(130);
    });
  }
}

export function makeTempDir(label: string): string {
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), `parley-bench-${label}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export function trackChild(child: ChildProcess): void {
  installExitHook();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

// ---------------------------------------------------------------- output

export function say(bench: string, message: string): void {
  process.stdout.write(`[${bench}] ${message}\n`);
}

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function mb(bytes: number): string {
  return `${fmt(bytes / (1024 * 1024), 1)} MB`;
}

// ---------------------------------------------------------------- results

export type Verdict = 'PASS' | 'MISS' | 'SKIP' | 'INFO';

export interface SummaryRow {
  readonly bench: string;
  readonly metric: string;
  readonly figure: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly goal: string;
  readonly verdict: Verdict;
}

export interface BenchOutcome {
  readonly name: string;
  readonly rows: SummaryRow[];
  readonly data: Record<string, unknown>;
}

export interface Goal {
  readonly op: '>=' | '<=';
  readonly target: number;
}

export function verdict(value: number, goal: Goal): Verdict {
  if (!Number.isFinite(value)) return 'MISS';
  return (goal.op === '>=' ? value >= goal.target : value <= goal.target) ? 'PASS' : 'MISS';
}

export function goalText(goal: Goal, unit = ''): string {
  return `${goal.op === '>=' ? '≥' : '≤'} ${goal.target}${unit}`;
}

export function skipRow(bench: string, metric: string, reason: string): SummaryRow {
  return { bench, metric, figure: reason, baseline: '-', ratio: '-', goal: '-', verdict: 'SKIP' };
}

export function printTable(rows: readonly SummaryRow[]): void {
  const header: SummaryRow = {
    bench: 'bench',
    metric: 'metric',
    figure: 'figure',
    baseline: 'baseline',
    ratio: 'ratio',
    goal: 'goal',
    verdict: 'INFO',
  };
  const columns: (keyof SummaryRow)[] = ['bench', 'metric', 'figure', 'baseline', 'ratio', 'goal', 'verdict'];
  const cell = (row: SummaryRow, key: keyof SummaryRow) => (row === header && key === 'verdict' ? 'result' : String(row[key]));
  const widths = columns.map((key) => Math.max(...[header, ...rows].map((row) => cell(row, key).length)));
  const line = (row: SummaryRow) => columns.map((key, i) => cell(row, key).padEnd(widths[i]!)).join(' | ').trimEnd();
  process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}

/** Runs a bench file on its own: prints its rows, never fails the process on a MISS. */
export function runStandalone(run: () => Promise<BenchOutcome>): void {
  installExitHook();
  run().then(
    (outcome) => {
      process.stdout.write('\n');
      printTable(outcome.rows);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

/** CPU time of another process in ms (utime + stime from /proc; USER_HZ taken as 100), or null. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : null;
  } catch {
    return null;
  }
}
