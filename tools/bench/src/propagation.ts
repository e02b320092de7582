import type { BenchControlPlane } from './bench-processes';
import { percentile } from './load-generator';

/** One stored snapshot, as GET /config/versions lists it. */
export interface SnapshotHead {
  version: number;
  /** Stamped by the control plane inside the writing transaction, right before it builds the snapshot. */
  createdAt: string;
}

/** The fleet API's row of one data plane, the fields the bench reads. */
export interface FleetRow {
  dataPlaneId: string;
  activeVersion: number | null;
  lastAckAt: string | null;
  /** What the data plane reported: from the snapshot's arrival to its swap (decode, validate, compile). */
  lastApplyMs: number | null;
}

export interface Propagation {
  version: number;
  /** From the snapshot's createdAt to the last data plane's recorded Ack of that version. */
  ms: number;
  /** Per data plane: createdAt to its recorded Ack. */
  perDataPlaneMs: Record<string, number>;
  /** Per data plane: its own apply time, as it reported it with the Ack. */
  applyMs: Record<string, number>;
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export async function newestSnapshot(controlPlane: BenchControlPlane): Promise<SnapshotHead> {
  const page = await controlPlane.api<{ items: SnapshotHead[] }>('GET', '/config/versions?limit=1', undefined, 200);
  const head = page.items[0];
  if (!head) throw new Error('the control plane lists no config snapshot');
  return head;
}

/**
 * Waits until every listed data plane runs `head.version` (polling the fleet API), then reads the propagation
 * from the control plane's own records: the snapshot's createdAt and each data plane's last_ack_at (both taken on
 * this machine's clock). A data plane already past `head.version` would hide its Ack: that is an error here,
 * since the bench makes one change at a time.
 */
export async function awaitPropagation(
  controlPlane: BenchControlPlane,
  dataPlaneIds: readonly string[],
  head: SnapshotHead,
  timeoutMs: number,
): Promise<Propagation> {
  return propagationOf(head, await awaitVersion(controlPlane, dataPlaneIds, head.version, timeoutMs));
}

/**
 * Polls the fleet API until every listed data plane runs `version` or a later one; returns their rows. The figures
 * come from the recorded times, not from when a poll saw them: polling faster would only load the control plane.
 */
export async function awaitVersion(
  controlPlane: BenchControlPlane,
  dataPlaneIds: readonly string[],
  version: number,
  timeoutMs: number,
  pollIntervalMs = 25,
): Promise<FleetRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const fleet = await controlPlane.api<{ items: FleetRow[] }>('GET', '/data-planes', undefined, 200);
    const rows = dataPlaneIds.map((id) => fleet.items.find((row) => row.dataPlaneId === id));
    if (rows.every((row) => row !== undefined && (row.activeVersion ?? 0) >= version)) return rows as FleetRow[];
    if (Date.now() > deadline) {
      const states = rows.map((row, index) => `${dataPlaneIds[index]}=${row?.activeVersion ?? 'none'}`).join(', ');
      throw new Error(`version ${version} did not reach every data plane within ${timeoutMs} ms (${states})`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}

/** The propagation of `head` from fleet rows that all run it. */
export function propagationOf(head: SnapshotHead, rows: readonly FleetRow[]): Propagation {
  const createdAt = Date.parse(head.createdAt);
  const perDataPlaneMs: Record<string, number> = {};
  const applyMs: Record<string, number> = {};
  for (const row of rows) {
    // A Hello after a reconnect also reports the version, without an Ack: last_ack_at is then an older Ack's.
    if (row.activeVersion !== head.version || row.lastAckAt === null || Date.parse(row.lastAckAt) < createdAt) {
      throw new Error(
        `data plane ${row.dataPlaneId} runs version ${row.activeVersion}, not ${head.version}: its Ack of ${head.version} is not on record`,
      );
    }
    perDataPlaneMs[row.dataPlaneId] = Date.parse(row.lastAckAt) - createdAt;
    applyMs[row.dataPlaneId] = row.lastApplyMs ?? NaN;
  }
  return { version: head.version, ms: Math.max(...Object.values(perDataPlaneMs)), perDataPlaneMs, applyMs };
}

/** Nearest-rank percentiles of durations in milliseconds. */
export function percentilesOf(values: readonly number[]): Percentiles {
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : NaN,
  };
}

/**
 * The propagation of `head` read from each data plane's own /config: `appliedAt`, when the snapshot was swapped in
 * and began to serve (same machine, same clock). For runs where an Ack may go unrecorded (a stream that broke
 * while a large snapshot was being applied). Call once every data plane runs `head.version`.
 */
export async function appliedPropagation(
  head: SnapshotHead,
  dataPlanes: ReadonlyArray<{ id: string; statusUrl: string }>,
): Promise<Propagation> {
  const createdAt = Date.parse(head.createdAt);
  const perDataPlaneMs: Record<string, number> = {};
  const applyMs: Record<string, number> = {};
  for (const dataPlane of dataPlanes) {
    const status = (await (await fetch(`${dataPlane.statusUrl}/config`)).json()) as {
      version: number | null;
      appliedAt: string | null;
      applyMs: number | null;
    };
    if (status.version !== head.version || status.appliedAt === null) {
      throw new Error(`data plane ${dataPlane.id} runs version ${status.version}, not ${head.version}`);
    }
    perDataPlaneMs[dataPlane.id] = Date.parse(status.appliedAt) - createdAt;
    applyMs[dataPlane.id] = status.applyMs ?? NaN;
  }
  return { version: head.version, ms: Math.max(...Object.values(perDataPlaneMs)), perDataPlaneMs, applyMs };
}
