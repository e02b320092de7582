import { idSchema, type HealthCheck, type HealthStatus } from '@hotswap/config-snapshot';
import type { ForcedBreakerState } from '@hotswap/proto';
import { z } from 'zod';
import type { StoredProbeResult } from '../backend-state';

/** POST /health-checks: the backend to check now. */
export const runCheckBodySchema = z.strictObject({ backendId: idSchema });
export type RunCheckBody = z.output<typeof runCheckBodySchema>;

/** PUT /backends/{id}/draining: start (`true`) or end (`false`) a drain. */
export const drainingBodySchema = z.strictObject({ draining: z.boolean() });
export type DrainingBody = z.output<typeof drainingBodySchema>;

export const CIRCUIT_BREAKER_STATES = ['open', 'closed', 'auto'] as const;

/** PUT /backends/{id}/circuit-breaker: force the breaker open or closed on every data plane, or `auto` to stop. */
export const circuitBreakerBodySchema = z.strictObject({ state: z.enum(CIRCUIT_BREAKER_STATES) });
export type CircuitBreakerBody = z.output<typeof circuitBreakerBodySchema>;

/** GET /backends/{id}/health. */
export interface BackendHealthView {
  backendId: string;
  /** What data planes act on: Draining while draining, else what the checks decided (Unknown before). */
  healthStatus: HealthStatus;
  lastHealthCheck: string | null;
  consecutiveSuccesses: number;
  consecutiveFailures: number;
  /** From data-plane telemetry once it is reported; 0 until then. */
  activeConnections: number;
  /** From data-plane telemetry once it is reported; 0 until then. */
  totalRequests: number;
  /** From data-plane telemetry once it is reported; 0 until then. */
  failedRequests: number;
  /** The checks' own verdict, kept while draining: Unknown, Healthy or Unhealthy. */
  checkedStatus: string;
  isDraining: boolean;
  isEnabled: boolean;
  /** Enabled with a healthCheck block: probed every interval. */
  isActivelyChecked: boolean;
  healthCheck: HealthCheck | null;
  lastCheck: StoredProbeResult | null;
  /** An Admin's forced breaker state on every data plane; null: automatic. */
  circuitBreakerOverride: ForcedBreakerState;
  /** Orders state updates on the discovery streams; grows with every change of status or breaker override. */
  stateSequence: number;
  stateUpdatedAt: string;
}

/** POST /health-checks. */
export interface HealthCheckResultView {
  backendId: string;
  type: 'HTTP' | 'TCP';
  isHealthy: boolean;
  statusCode: number | null;
  detail: string;
  latencyMs: number;
  checkedAt: string;
  /** Whether the result counted towards the thresholds (only for backends with a healthCheck block). */
  recorded: boolean;
  health: BackendHealthView;
}

export const healthViewExample: BackendHealthView = {
  backendId: 'backend-1a2b3c4d',
  healthStatus: 'Healthy',
  lastHealthCheck: '2026-01-01T12:00:05.000Z',
  consecutiveSuccesses: 12,
  consecutiveFailures: 0,
  activeConnections: 0,
  totalRequests: 0,
  failedRequests: 0,
  checkedStatus: 'Healthy',
  isDraining: false,
  isEnabled: true,
  isActivelyChecked: true,
  healthCheck: {
    type: 'HTTP',
    endpoint: '/health',
    intervalMs: 5000,
    timeoutMs: 3000,
    unhealthyThreshold: 3,
    healthyThreshold: 2,
    expectedStatus: 200,
    expectedBody: null,
    headers: {},
  },
  lastCheck: {
    isHealthy: true,
    statusCode: 200,
    detail: 'HTTP 200',
    latencyMs: 1.8,
    checkedAt: '2026-01-01T12:00:05.000Z',
  },
  circuitBreakerOverride: null,
  stateSequence: 42,
  stateUpdatedAt: '2026-01-01T11:58:00.000Z',
};
