import type { ConfigSnapshot, SnapshotDelta } from '@hotswap/config-snapshot';
import type { BackendStates__Output } from '@hotswap/proto';
import type { SnapshotSource } from '../snapshot/compiled-snapshot';
import type { TelemetrySample } from '../telemetry/telemetry-sample';

/**
 * The IPC protocol between a cluster primary and its workers (node:cluster, `advanced` serialization). Requests
 * carry an id; the worker answers each with the same id.
 */
export type PrimaryMessage =
  /**
   * Phase 1: validate nothing (the primary did), compile against the active snapshot, hold it. The snapshot comes
   * whole, or as its changes from the one the worker runs (refused with `delta.` reasons when it runs another).
   */
  | { type: 'prepare'; requestId: number; change: SnapshotChange; source: SnapshotSource }
  /** Phase 2: swap in the held snapshot. */
  | { type: 'commit'; requestId: number }
  /** Another worker refused: drop the held snapshot. */
  | { type: 'abort' }
  /** A (re)started worker: apply the pod's active snapshot at once. */
  | { type: 'sync'; requestId: number; snapshot: ConfigSnapshot; source: SnapshotSource }
  | { type: 'backendStates'; message: BackendStates__Output }
  | { type: 'metrics'; requestId: number }
  /** End the telemetry window: answer with its counts and the worker's state. */
  | { type: 'telemetry'; requestId: number }
  /** Drain (GATEWAY_DRAIN_SECONDS) and exit. */
  | { type: 'stop' };

/** A snapshot for a worker: whole, or as a delta on the one the worker runs. */
export type SnapshotChange = { kind: 'full'; snapshot: ConfigSnapshot } | { kind: 'delta'; delta: SnapshotDelta };

export type WorkerMessage =
  | { type: 'listening'; port: number }
  | { type: 'failed'; error: string }
  | { type: 'prepared'; requestId: number; reasons: string[] }
  | { type: 'applied'; requestId: number; version: number | null; hash: string | null; reasons: string[] }
  | { type: 'metrics'; requestId: number; metrics: object[] }
  | { type: 'telemetry'; requestId: number; sample: TelemetrySample };
