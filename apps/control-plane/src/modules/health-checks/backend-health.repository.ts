import type { HealthCheck, HealthStatus } from '@hotswap/config-snapshot';
import type { ForcedBreakerState } from '@hotswap/proto';
import type { SqlQuery } from '../../database/sql-query';
import {
  BACKEND_STATE_CHANNEL,
  type BackendHealthRecord,
  type BackendStateRecord,
  type CheckTarget,
  type ScheduledCheck,
  type StoredProbeResult,
} from './backend-state';
import { effectiveHealthStatus, toCheckedStatus, type HealthState } from './health-state';

/** A backend's health row, locked for update by the current transaction. */
export interface LockedHealth {
  readonly backendId: string;
  readonly isEnabled: boolean;
  readonly healthCheck: HealthCheck | null;
  readonly health: HealthState;
  /** The stored effective status (before this change). */
  readonly healthStatus: HealthStatus;
  readonly forcedBreakerState: ForcedBreakerState;
}

/** What to store; the state sequence moves (and data planes hear of it) when status or forced breaker change. */
export interface HealthUpdate {
  readonly health: HealthState;
  readonly forcedBreakerState: ForcedBreakerState;
  /** A probe to record as the last check. */
  readonly check?: StoredProbeResult;
}

interface StateRow {
  backend_id: string;
  health_status: string;
  breaker_override: string | null;
  state_sequence: string;
  state_updated_at: Date;
}

const STATE_COLUMNS = 'backend_id, health_status, breaker_override, state_sequence::text, state_updated_at';

/**
 * The `backends` columns the health checks own (migration 003). Stateless: each method runs on the query it is
 * given (a transaction's, for `lock` and `save`).
 */
export class BackendHealthRepository {
  async findTarget(query: SqlQuery, backendId: string): Promise<CheckTarget | null> {
    const [row] = await query<{ backend_id: string; url: string; is_enabled: boolean; health_check: unknown }>(
      'SELECT backend_id, url, is_enabled, health_check FROM backends WHERE backend_id = $1',
      [backendId],
    );
    if (!row) return null;
    return {
      backendId: row.backend_id,
      url: row.url,
      isEnabled: row.is_enabled,
      healthCheck: (row.health_check ?? null) as HealthCheck | null,
    };
  }

  /** Every enabled backend with a healthCheck block, with its interval. */
  async findScheduledChecks(query: SqlQuery): Promise<ScheduledCheck[]> {
    const rows = await query<{ backend_id: string; interval_ms: string }>(
      `SELECT backend_id, health_check->>'intervalMs' AS interval_ms FROM backends
        WHERE is_enabled AND health_check IS NOT NULL AND jsonb_typeof(health_check) = 'object'
        ORDER BY backend_id`,
    );
    return rows.flatMap((row) => {
      const intervalMs = Number(row.interval_ms);
      return Number.isSafeInteger(intervalMs) && intervalMs > 0 ? [{ backendId: row.backend_id, intervalMs }] : [];
    });
  }

  /** Locks the backend's row until the transaction ends; null when there is no such backend. */
  async lock(query: SqlQuery, backendId: string): Promise<LockedHealth | null> {
    const [row] = await query<{
      backend_id: string;
      is_enabled: boolean;
      health_check: unknown;
      health_status: string;
      checked_status: string;
      is_draining: boolean;
      consecutive_successes: number;
      consecutive_failures: number;
      breaker_override: string | null;
    }>(
      `SELECT backend_id, is_enabled, health_check, health_status, checked_status, is_draining,
              consecutive_successes, consecutive_failures, breaker_override
         FROM backends WHERE backend_id = $1 FOR UPDATE`,
      [backendId],
    );
    if (!row) return null;
    return {
      backendId: row.backend_id,
      isEnabled: row.is_enabled,
      healthCheck: (row.health_check ?? null) as HealthCheck | null,
      health: {
        checkedStatus: toCheckedStatus(row.checked_status),
        isDraining: row.is_draining,
        consecutiveSuccesses: row.consecutive_successes,
        consecutiveFailures: row.consecutive_failures,
      },
      healthStatus: row.health_status as HealthStatus,
      forcedBreakerState: toForcedBreakerState(row.breaker_override),
    };
  }

  /**
   * Stores the update of a row locked with `lock`. When the effective status or the forced breaker state changed,
   * takes the next state sequence and announces the backend on BACKEND_STATE_CHANNEL (delivered on commit).
   * Returns whether it did.
   */
  async save(query: SqlQuery, locked: LockedHealth, update: HealthUpdate): Promise<boolean> {
    const healthStatus = effectiveHealthStatus(update.health);
    const isStateChanged =
      healthStatus !== locked.healthStatus || update.forcedBreakerState !== locked.forcedBreakerState;
    await query(
      `UPDATE backends
          SET checked_status = $2, is_draining = $3, consecutive_successes = $4, consecutive_failures = $5,
              health_status = $6, breaker_override = $7,
              last_health_check = COALESCE($8::timestamptz, last_health_check),
              last_check_result = COALESCE($9::jsonb, last_check_result),
              state_sequence = CASE WHEN $10 THEN nextval('backend_state_seq') ELSE state_sequence END,
              state_updated_at = CASE WHEN $10 THEN clock_timestamp() ELSE state_updated_at END
        WHERE backend_id = $1`,
      [
        locked.backendId,
        update.health.checkedStatus,
        update.health.isDraining,
        update.health.consecutiveSuccesses,
        update.health.consecutiveFailures,
        healthStatus,
        update.forcedBreakerState,
        update.check?.checkedAt ?? null,
        update.check ? JSON.stringify(update.check) : null,
        isStateChanged,
      ],
    );
    if (isStateChanged) await query('SELECT pg_notify($1, $2)', [BACKEND_STATE_CHANNEL, locked.backendId]);
    return isStateChanged;
  }

  /** The runtime state of the backends named, or of every backend. */
  async findStates(query: SqlQuery, backendIds?: readonly string[]): Promise<BackendStateRecord[]> {
    const rows =
      backendIds === undefined
        ? await query<StateRow>(`SELECT ${STATE_COLUMNS} FROM backends`)
        : await query<StateRow>(`SELECT ${STATE_COLUMNS} FROM backends WHERE backend_id = ANY($1::text[])`, [
            [...backendIds],
          ]);
    return rows.map((row) => ({
      backendId: row.backend_id,
      healthStatus: row.health_status as HealthStatus,
      forcedBreakerState: toForcedBreakerState(row.breaker_override),
      sequence: Number(row.state_sequence),
      updatedAt: row.state_updated_at,
    }));
  }

  async findHealth(query: SqlQuery, backendId: string): Promise<BackendHealthRecord | null> {
    const [row] = await query<{
      backend_id: string;
      name: string;
      health_status: string;
      checked_status: string;
      is_draining: boolean;
      is_enabled: boolean;
      health_check: unknown;
      last_health_check: Date | null;
      last_check_result: StoredProbeResult | null;
      consecutive_successes: number;
      consecutive_failures: number;
      breaker_override: string | null;
      active_connections: number;
      total_requests: string;
      failed_requests: string;
      state_sequence: string;
      state_updated_at: Date;
    }>(
      `SELECT backend_id, name, health_status, checked_status, is_draining, is_enabled, health_check,
              last_health_check, last_check_result, consecutive_successes, consecutive_failures, breaker_override,
              active_connections, total_requests::text, failed_requests::text, state_sequence::text, state_updated_at
         FROM backends WHERE backend_id = $1`,
      [backendId],
    );
    if (!row) return null;
    return {
      backendId: row.backend_id,
      name: row.name,
      healthStatus: row.health_status as HealthStatus,
      checkedStatus: row.checked_status,
      isDraining: row.is_draining,
      isEnabled: row.is_enabled,
      healthCheck: (row.health_check ?? null) as HealthCheck | null,
      lastHealthCheck: row.last_health_check,
      lastCheck: row.last_check_result,
      consecutiveSuccesses: row.consecutive_successes,
      consecutiveFailures: row.consecutive_failures,
      forcedBreakerState: toForcedBreakerState(row.breaker_override),
      activeConnections: row.active_connections,
      totalRequests: Number(row.total_requests),
      failedRequests: Number(row.failed_requests),
      sequence: Number(row.state_sequence),
      stateUpdatedAt: row.state_updated_at,
    };
  }
}

function toForcedBreakerState(value: string | null): ForcedBreakerState {
  return value === 'open' || value === 'closed' ? value : null;
}
