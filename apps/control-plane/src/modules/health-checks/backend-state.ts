import type { HealthCheck, HealthStatus } from '@hotswap/config-snapshot';
import type { ForcedBreakerState } from '@hotswap/proto';
import type { ProbeResult } from './health-probe';

/** PostgreSQL NOTIFY channel carrying the id of a backend whose runtime state changed, delivered on commit. */
export const BACKEND_STATE_CHANNEL = 'hotswap_backend_state';

/** What every data plane must know of a backend between snapshots. */
export interface BackendStateRecord {
  readonly backendId: string;
  readonly healthStatus: HealthStatus;
  readonly forcedBreakerState: ForcedBreakerState;
  /** From `backend_state_seq`: higher is newer, across backends and control-plane replicas. */
  readonly sequence: number;
  readonly updatedAt: Date;
}

/** What a probe needs of a backend. */
export interface CheckTarget {
  readonly backendId: string;
  readonly url: string;
  readonly isEnabled: boolean;
  /** Null: the backend is not actively checked. */
  readonly healthCheck: HealthCheck | null;
}

/** A backend to probe every `intervalMs`. */
export interface ScheduledCheck {
  readonly backendId: string;
  readonly intervalMs: number;
}

/** Everything the health endpoint shows of a backend. */
export interface BackendHealthRecord {
  readonly backendId: string;
  readonly name: string;
  readonly healthStatus: HealthStatus;
  readonly checkedStatus: string;
  readonly isDraining: boolean;
  readonly isEnabled: boolean;
  readonly healthCheck: HealthCheck | null;
  readonly lastHealthCheck: Date | null;
  readonly lastCheck: StoredProbeResult | null;
  readonly consecutiveSuccesses: number;
  readonly consecutiveFailures: number;
  readonly forcedBreakerState: ForcedBreakerState;
  readonly activeConnections: number;
  readonly totalRequests: number;
  readonly failedRequests: number;
  readonly sequence: number;
  readonly stateUpdatedAt: Date;
}

/** A probe result as `last_check_result` keeps it. */
export interface StoredProbeResult {
  readonly isHealthy: boolean;
  readonly statusCode: number | null;
  readonly detail: string;
  readonly latencyMs: number;
  readonly checkedAt: string;
}

export function toStoredProbeResult(result: ProbeResult): StoredProbeResult {
  return {
    isHealthy: result.isHealthy,
    statusCode: result.statusCode,
    detail: result.detail,
    latencyMs: result.latencyMs,
    checkedAt: result.checkedAt.toISOString(),
  };
}
