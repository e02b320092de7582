import type { LoadResult } from './load-generator';

export type TargetId = 'a' | 'b' | 'c' | 'd' | 'e' | 'f';

/** One target's figures, measured after its warm-up. */
export interface TargetMeasurement {
  id: TargetId;
  label: string;
  /** How many processes the measured CPU covers (the data plane's cluster workers included). */
  processCount: number;
  requestsPerSecond: number;
  latencyMs: LoadResult['latencyMs'];
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU time of the measured process per completed request: the proxy's for (a)-(c), the backend's for (d). */
  cpuMicrosPerRequest: number;
  /** The shared backend's CPU time per completed request, for every target. */
  backendCpuMicrosPerRequest: number;
}

export type TargetOutcome = TargetMeasurement | { id: TargetId; label: string; error: string };

/** How a data-plane target compares with a baseline: values above 1 mean more CPU, or more throughput. */
export interface Ratio {
  target: TargetId;
  baseline: TargetId;
  cpuPerRequest: number;
  throughput: number;
  /** Added latency over the baseline, in milliseconds. */
  p50DeltaMs: number;
  p99DeltaMs: number;
}

export function isMeasured(outcome: TargetOutcome | undefined): outcome is TargetMeasurement {
  return outcome !== undefined && !('error' in outcome);
}

/**
 * The pairs compared: the data plane targets to the bare proxy and the direct call; the rate-limited one and the
 * two-worker one to (a).
 */
const COMPARED: ReadonlyArray<readonly [target: TargetId, baseline: TargetId]> = [
  ['a', 'c'],
  ['a', 'd'],
  ['b', 'c'],
  ['b', 'd'],
  ['e', 'c'],
  ['e', 'a'],
  ['f', 'a'],
];

/** Ratios of the COMPARED pairs where both were measured. */
export function computeRatios(outcomes: readonly TargetOutcome[]): Ratio[] {
  const byId = new Map(outcomes.map((outcome) => [outcome.id, outcome]));
  const ratios: Ratio[] = [];
  for (const [target, baseline] of COMPARED) {
    const t = byId.get(target);
    const b = byId.get(baseline);
    if (!isMeasured(t) || !isMeasured(b)) continue;
    ratios.push({
      target,
      baseline,
      cpuPerRequest: t.cpuMicrosPerRequest / b.cpuMicrosPerRequest,
      throughput: t.requestsPerSecond / b.requestsPerSecond,
      p50DeltaMs: t.latencyMs.p50 - b.latencyMs.p50,
      p99DeltaMs: t.latencyMs.p99 - b.latencyMs.p99,
    });
  }
  return ratios;
}

/** The results as a plain-text table followed by the ratios. */
export function formatReport(outcomes: readonly TargetOutcome[], ratios: readonly Ratio[]): string {
  const rows: string[][] = [
    ['target', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'backend CPU µs/req', 'procs', 'non-2xx', 'errors'],
  ];
  for (const outcome of outcomes) {
    const name = `(${outcome.id}) ${outcome.label}`;
    if (!isMeasured(outcome)) {
      rows.push([name, `not measured: ${outcome.error}`]);
      continue;
    }
    rows.push([
      name,
      Math.round(outcome.requestsPerSecond).toLocaleString('en-US'),
      outcome.latencyMs.p50.toFixed(2),
      outcome.latencyMs.p99.toFixed(2),
      outcome.cpuMicrosPerRequest.toFixed(0),
      outcome.backendCpuMicrosPerRequest.toFixed(0),
      String(outcome.processCount),
      String(outcome.non2xx),
      String(outcome.errors + outcome.timeouts),
    ]);
  }
  const lines = [table(rows), ''];
  if (ratios.length > 0) {
    const labels = new Map(outcomes.map((outcome) => [outcome.id, `(${outcome.id})`]));
    const ratioRows = [['compared', 'CPU/req ratio', 'throughput ratio', 'p50 +ms', 'p99 +ms']];
    for (const ratio of ratios) {
      ratioRows.push([
        `${labels.get(ratio.target)} vs ${labels.get(ratio.baseline)}`,
        `${ratio.cpuPerRequest.toFixed(2)}x`,
        `${ratio.throughput.toFixed(2)}x`,
        signed(ratio.p50DeltaMs),
        signed(ratio.p99DeltaMs),
      ]);
    }
    lines.push(table(ratioRows));
    lines.push('CPU/req ratio: CPU per request of the data plane over that of the baseline process (for (d), the');
    lines.push(
      "backend itself); throughput ratio: its req/s over the baseline's. One run, one machine: compare within it.",
    );
  }
  return lines.join('\n');
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
}

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    if (row.length === 2 && rows.indexOf(row) > 0) continue; // a failure line does not size the columns
    row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  }
  return rows
    .map((row) =>
      row
        .map((cell, index) =>
          index === 0 || row.length === 2 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
