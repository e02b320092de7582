import { healthCheckSchema, type HealthCheck } from '@hotswap/config-snapshot';
import type { ForcedBreakerState } from '@hotswap/proto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../../common/errors/gateway-error';
import type { Actor } from '../../common/http/actor';
import { sqlQueryOf } from '../../database/data-source';
import type { SqlQuery } from '../../database/sql-query';
import { AuditService } from '../audit/audit.service';
import { BackendHealthRepository, type LockedHealth } from './backend-health.repository';
import {
  toStoredProbeResult,
  type BackendHealthRecord,
  type BackendStateRecord,
  type ScheduledCheck,
} from './backend-state';
import type { BackendHealthView, HealthCheckResultView } from './dto/health.dto';
import { probeBackend, type ProbeResult } from './health-probe';
import { applyCheckResult, withDraining } from './health-state';

/** The check a backend without a healthCheck block gets when one is asked for: the schema's defaults. */
const DEFAULT_HEALTH_CHECK: HealthCheck = healthCheckSchema.parse({});

/**
 * Active health checks: probes a backend, runs the result through the threshold state machine and stores it in
 * one transaction (row locked, so concurrent results for one backend apply one after the other); drains; forces
 * breakers. A change of a backend's status or forced breaker takes the next state sequence and is announced on
 * BACKEND_STATE_CHANNEL, from where every replica's streams carry it to the data planes. None of this writes a
 * config snapshot.
 */
@Injectable()
export class HealthChecksService {
  private readonly logger = new Logger('HealthChecks');
  private readonly checksTotal: Counter<'result'>;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(BackendHealthRepository) private readonly repository: BackendHealthRepository,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(Registry) registry: Registry,
  ) {
    this.checksTotal = new Counter({
      name: 'gateway_health_checks_total',
      help: 'Active health checks run by this control-plane replica, by result',
      labelNames: ['result'],
      registers: [registry],
    });
  }

  /** The checks to schedule: every enabled backend with a healthCheck block. */
  scheduledChecks(): Promise<ScheduledCheck[]> {
    return this.repository.findScheduledChecks(this.query());
  }

  /** The runtime state of the backends named, or of all. */
  findStates(backendIds?: readonly string[]): Promise<BackendStateRecord[]> {
    return this.repository.findStates(this.query(), backendIds);
  }

  /**
   * A scheduled check: probes the backend if it is still enabled with a healthCheck block (the schedule may lag a
   * config change) and records the result. Never rejects.
   */
  async runScheduledCheck(backendId: string): Promise<void> {
    try {
      const target = await this.repository.findTarget(this.query(), backendId);
      if (!target?.isEnabled || !target.healthCheck) return;
      const result = await probeBackend(target.url, target.healthCheck);
      await this.record(backendId, result);
    } catch (error) {
      this.logger.warn(`health check of backend ${backendId} failed to run: ${(error as Error).message}`);
    }
  }

  /**
   * Runs a check now and returns its result. A backend with a healthCheck block gets its own check, and the
   * result counts like a scheduled one; a backend without one gets the default check (HTTP GET /health), and its
   * state stays as it is.
   */
  async runCheckNow(backendId: string): Promise<HealthCheckResultView> {
    const target = await this.repository.findTarget(this.query(), backendId);
    if (!target) throw new NotFoundError('Backend', backendId);
    const check = target.healthCheck ?? DEFAULT_HEALTH_CHECK;
    const result = await probeBackend(target.url, check);
    const recorded = target.healthCheck !== null && (await this.record(backendId, result));
    if (!recorded) this.count(result);
    return {
      backendId,
      type: check.type,
      isHealthy: result.isHealthy,
      statusCode: result.statusCode,
      detail: result.detail,
      latencyMs: result.latencyMs,
      checkedAt: result.checkedAt.toISOString(),
      recorded,
      health: await this.getHealth(backendId),
    };
  }

  async getHealth(backendId: string): Promise<BackendHealthView> {
    const record = await this.repository.findHealth(this.query(), backendId);
    if (!record) throw new NotFoundError('Backend', backendId);
    return toHealthView(record);
  }

  /** Starts or ends a drain (audited). Draining: data planes send it no new requests; requests in flight finish. */
  async setDraining(backendId: string, isDraining: boolean, actor: Actor): Promise<BackendHealthView> {
    await this.change(backendId, actor, (locked) => ({
      update: { health: withDraining(locked.health, isDraining), forcedBreakerState: locked.forcedBreakerState },
      audit: {
        eventType: isDraining ? 'BackendDrainStarted' : 'BackendDrainEnded',
        details: { previousStatus: locked.healthStatus },
      },
    }));
    return this.getHealth(backendId);
  }

  /** Forces the backend's breakers open or closed on every data plane, or returns them to automatic (audited). */
  async forceBreaker(backendId: string, state: ForcedBreakerState, actor: Actor): Promise<BackendHealthView> {
    await this.change(backendId, actor, (locked) => ({
      update: { health: locked.health, forcedBreakerState: state },
      audit: {
        eventType: 'CircuitBreakerOverridden',
        details: { state: state ?? 'auto', previous: locked.forcedBreakerState ?? 'auto' },
      },
    }));
    return this.getHealth(backendId);
  }

  /** Stores a probe result; false when the backend is gone or no longer has a healthCheck block. */
  private async record(backendId: string, result: ProbeResult): Promise<boolean> {
    const recorded = await this.dataSource.transaction(async (manager) => {
      const query = sqlQueryOf(manager);
      const locked = await this.repository.lock(query, backendId);
      if (!locked?.healthCheck) return undefined;
      const health = applyCheckResult(locked.health, result.isHealthy, locked.healthCheck);
      const update = { health, forcedBreakerState: locked.forcedBreakerState, check: toStoredProbeResult(result) };
      const isChanged = await this.repository.save(query, locked, update);
      return { locked, isChanged, health };
    });
    if (!recorded) return false;
    this.count(result);
    if (recorded.isChanged) {
      const { checkedStatus } = recorded.health;
      this.logger.log(
        `backend ${backendId} is ${checkedStatus} (was ${recorded.locked.health.checkedStatus}): ${result.detail}`,
      );
    }
    return true;
  }

  private async change(
    backendId: string,
    actor: Actor,
    decide: (locked: LockedHealth) => {
      update: { health: LockedHealth['health']; forcedBreakerState: ForcedBreakerState };
      audit: { eventType: string; details: Record<string, unknown> };
    },
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const query = sqlQueryOf(manager);
      const locked = await this.repository.lock(query, backendId);
      if (!locked) throw new NotFoundError('Backend', backendId);
      const { update, audit } = decide(locked);
      await this.repository.save(query, locked, update);
      await this.audit.record(manager, { ...audit, entityType: 'Backend', entityId: backendId }, actor);
    });
  }

  private count(result: ProbeResult): void {
    this.checksTotal.inc({ result: result.isHealthy ? 'healthy' : 'unhealthy' });
  }

  private query(): SqlQuery {
    return sqlQueryOf(this.dataSource.manager);
  }
}

function toHealthView(record: BackendHealthRecord): BackendHealthView {
  return {
    backendId: record.backendId,
    healthStatus: record.healthStatus,
    lastHealthCheck: record.lastHealthCheck?.toISOString() ?? null,
    consecutiveSuccesses: record.consecutiveSuccesses,
    consecutiveFailures: record.consecutiveFailures,
    activeConnections: record.activeConnections,
    totalRequests: record.totalRequests,
    failedRequests: record.failedRequests,
    checkedStatus: record.checkedStatus,
    isDraining: record.isDraining,
    isEnabled: record.isEnabled,
    isActivelyChecked: record.isEnabled && record.healthCheck !== null,
    healthCheck: record.healthCheck,
    lastCheck: record.lastCheck,
    circuitBreakerOverride: record.forcedBreakerState,
    stateSequence: record.sequence,
    stateUpdatedAt: record.stateUpdatedAt.toISOString(),
  };
}
